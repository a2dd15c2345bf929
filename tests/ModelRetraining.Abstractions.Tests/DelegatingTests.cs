namespace ModelRetraining.Abstractions.Tests;

public class DelegatingTests
{
    private sealed class CountingTrainer : ITrainer
    {
        public int Calls { get; private set; }

        public string Name => "inner";

        public ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            Calls++;
            return ValueTask.FromResult(new TrainedModel(new ModelArtifact("test", "m", new byte[] { 1 }), training.Fingerprint, TimeSpan.Zero));
        }
    }

    private sealed class PassThrough(ITrainer inner) : DelegatingTrainer(inner);

    private sealed class Renaming(ITrainer inner) : DelegatingTrainer(inner)
    {
        public override string Name => "outer(" + base.Name + ")";
    }

    [Fact]
    public async Task DelegatingTrainer_ByDefault_ForwardsToTheInnerTrainer()
    {
        var inner = new CountingTrainer();
        var trainer = new Renaming(new PassThrough(inner));
        var snapshot = new DatasetSnapshot("d", null!, new DataSchema([]), 0, "sha256:x");
        var model = await trainer.TrainAsync(snapshot, new RetrainingContext("churn", "run", TimeProvider.System));
        Assert.Equal(1, inner.Calls);
        Assert.Equal("sha256:x", model.TrainingData);
        Assert.Equal("outer(inner)", trainer.Name);
    }

    [Fact]
    public void DelegatingBases_NullInner_Throw()
        => Assert.Throws<ArgumentNullException>(() => new PassThrough(null!));
}
