using System.Globalization;
using Microsoft.ML;
using ModelRetraining;

namespace Extending;

// <snippet:extending-trainer>
/// <summary>A seeded logistic regression on numeric columns with ML.NET's SDCA, serialized as an ML.NET zip so the ML.NET evaluator and model server can use it.</summary>
public sealed class LogisticRegressionTrainer(string label, string[] features, int seed = 1) : ITrainer
{
    public string Name => "logistic-regression";

    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    public async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        var started = context.TimeProvider.GetTimestamp();
        var ml = new MLContext(seed);
        context.ReportProgress(RetrainingStage.Training, 0, $"fitting on {training.RowCount} rows");
        var estimator = ml.Transforms.Concatenate("Features", features)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(label, maximumNumberOfIterations: 50));

        // Fitting blocks: keep it off the caller's thread, and check the token before and after.
        cancellationToken.ThrowIfCancellationRequested();
        var model = await Task.Run(() => estimator.Fit(training.Data), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        using var zip = new MemoryStream();
        ml.Model.Save(model, training.Data.Schema, zip);
        return new TrainedModel(new ModelArtifact(ArtifactFlavors.MLNet, "model.zip", zip.ToArray()), training.Fingerprint, context.TimeProvider.GetElapsedTime(started))
        {
            LiveModel = model, // evaluators score this object instead of reloading the zip
            TrainingRows = training.RowCount,
            Parameters = new Dictionary<string, string>
            {
                ["trainer"] = Name,
                ["features"] = string.Join(",", features),
                ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            },
        };
    }
}
// </snippet:extending-trainer>
