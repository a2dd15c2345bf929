using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.MLNet;

/// <summary>
/// Fits an ML.NET estimator on a worker thread. Cancellation reaches ML.NET through
/// MLContext.CancelExecution, which its trainers check between steps.
/// </summary>
internal sealed class MLNetTrainer(Func<MLContext, IEstimator<ITransformer>> estimatorFactory, MLNetTrainingOptions options) : ITrainer
{
    public const string Flavor = "mlnet";

    public string Name => options.Name;

    public async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();

        using var timeout = options.Timeout is { } limit ? new CancellationTokenSource(limit, context.TimeProvider) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;

        var ml = new MLContext(options.Seed);
        var started = context.TimeProvider.GetTimestamp();
        string estimatorName = string.Empty;
        try
        {
            using var registration = token.Register(() => CancelExecution?.Invoke(ml));
            var (model, bytes) = await Task.Factory.StartNew(
                () =>
                {
                    var estimator = estimatorFactory(ml);
                    estimatorName = Describe(estimator);
                    context.ReportProgress(RetrainingStage.Training, 0.05, $"fitting {estimatorName} on {training.RowCount} rows");
                    ITransformer fitted;
                    using (MLNetProgressReader.Start(ml, context, options.ProgressInterval))
                    {
                        fitted = estimator.Fit(training.Data);
                    }

                    token.ThrowIfCancellationRequested();
                    context.ReportProgress(RetrainingStage.Training, 0.9, "serializing the model");
                    using var buffer = new MemoryStream();
                    ml.Model.Save(fitted, training.Data.Schema, buffer);
                    return (fitted, DeterministicZip.Normalize(buffer.ToArray()));
                },
                token,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);

            return new TrainedModel(new ModelArtifact(Flavor, "model.zip", bytes), training.Fingerprint, context.TimeProvider.GetElapsedTime(started))
            {
                LiveModel = model,
                TrainingRows = training.RowCount,
                Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["trainer"] = options.Name,
                    ["estimator"] = estimatorName,
                    ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
                    ["training.rows"] = training.RowCount.ToString(CultureInfo.InvariantCulture),
                    ["training.fingerprint"] = training.Fingerprint,
                },
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException && token.IsCancellationRequested)
        {
            // ML.NET may surface a cancelled execution as another exception type; the cause is the cancellation.
            throw new OperationCanceledException("Training was cancelled.", ex, token);
        }
        catch (OperationCanceledException ex) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Training with '{options.Name}' took longer than its timeout of {options.Timeout}.", ex);
        }
    }

    // ML.NET's MLContext.CancelExecution is internal (only the unlisted Microsoft.ML.Experimental package
    // exposes it). Without it, cancellation is still honoured between the steps of a run.
    private static readonly Action<MLContext>? CancelExecution = typeof(MLContext)
        .GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes)
        ?.CreateDelegate<Action<MLContext>>();

    // A test fails loudly when an ML.NET update removes the member: cancellation would then silently
    // wait for the fit to end.
    internal static bool CancelsInsideFit => CancelExecution is not null;

    private static string Describe(IEstimator<ITransformer> estimator)
    {
        var type = estimator.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EstimatorChain<>))
        {
            var last = type.GetProperty("LastEstimator")?.GetValue(estimator) ?? type.GetField("LastEstimator")?.GetValue(estimator);
            return last?.GetType().Name ?? type.Name;
        }

        return type.Name;
    }
}
