using System.Text;

namespace ModelRetraining.Testing;

/// <summary>A trainer whose behaviour a test decides, through <see cref="OnTrain"/>; by default it returns a small distinct artifact.</summary>
public sealed class FakeTrainer : ITrainer
{
    private int _calls;

    /// <summary>Creates the fake with the default behaviour.</summary>
    public FakeTrainer()
    {
        OnTrain = (data, context, _) => new TrainedModel(
            new ModelArtifact("fake", "model.bin", Encoding.UTF8.GetBytes($"model of {data.Fingerprint} in run {context.RunId} #{_calls}")),
            data.Fingerprint,
            TimeSpan.Zero) { TrainingRows = data.RowCount };
    }

    /// <inheritdoc />
    public string Name => "fake";

    /// <summary>Gets or sets what a training returns (or throws).</summary>
    public Func<DatasetSnapshot, RetrainingContext, CancellationToken, TrainedModel> OnTrain { get; set; }

    /// <summary>Gets how many times the trainer ran.</summary>
    public int Calls => _calls;

    /// <inheritdoc />
    public ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return ValueTask.FromResult(OnTrain(training, context, cancellationToken));
    }
}
