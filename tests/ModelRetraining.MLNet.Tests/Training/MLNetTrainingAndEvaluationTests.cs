using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.Tests.Data;

namespace ModelRetraining.MLNet.Tests;

public class MLNetTrainingAndEvaluationTests
{
    private static IEstimator<ITransformer> Binary(MLContext ml)
        => ml.Transforms.Categorical.OneHotEncoding("catKey", "cat")
            .Append(ml.Transforms.Concatenate("Features", "x", "catKey"))
            .Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "y", numberOfLeaves: 4, numberOfTrees: 20, minimumExampleCountPerLeaf: 5));

    private static async Task<(DatasetSnapshot Train, DatasetSnapshot Holdout)> DataAsync(int rows = 600)
    {
        var path = Csv.Synthetic(rows);
        var source = CsvDataSource.FromFile(path, Csv.SyntheticSchema());
        var cut = new DateTime(2001, 1, 1).AddHours(rows * 2 / 3);
        return (await source.Between(null, cut).LoadAsync(Csv.Context), await source.Between(cut, null).LoadAsync(Csv.Context));
    }

    private static ITrainer Trainer(Func<MLContext, IEstimator<ITransformer>> estimator, int seed = 1)
    {
        var builder = new RetrainingPipelineBuilder().AddMLNetTraining(estimator, o => o.Seed = seed);
        return (ITrainer)typeof(RetrainingPipelineBuilder).GetField("_trainer", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(builder)!;
    }

    [Fact]
    public async Task Train_Binary_ProducesALoadableZipWithParameters()
    {
        var (train, _) = await DataAsync();
        var model = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        Assert.Equal("mlnet", model.Artifact.Flavor);
        Assert.Equal("model.zip", model.Artifact.FileName);
        Assert.Equal(train.Fingerprint, model.TrainingData);
        Assert.Equal("1", model.Parameters["seed"]);
        Assert.Equal("FastTreeBinaryTrainer", model.Parameters["estimator"]);
        Assert.IsAssignableFrom<ITransformer>(model.LiveModel);
        using var stream = new MemoryStream(model.Artifact.Content.ToArray());
        var loaded = new MLContext().Model.Load(stream, out var schema);
        Assert.NotNull(schema.GetColumnOrNull("y"));
        Assert.NotNull(loaded.Transform(train.Data).Schema.GetColumnOrNull("Probability"));
    }

    [Fact]
    public async Task Train_SameSeedSameData_GivesIdenticalArtifacts()
    {
        var (train, _) = await DataAsync();
        var a = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        var b = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        var scoresA = ((ITransformer)a.LiveModel!).Transform(train.Data).GetColumn<float>("Score").ToArray();
        var scoresB = ((ITransformer)b.LiveModel!).Transform(train.Data).GetColumn<float>("Score").ToArray();
        Assert.Equal(scoresA, scoresB);
    }

    [Fact]
    public async Task Train_TwiceOnTheSameData_GivesTheSameBytes_AndTheyLoad()
    {
        // ML.NET stamps zip entries with the time they were written: without normalizing them, equal models
        // had different hashes and the registry stored each twice.
        var (train, holdout) = await DataAsync();
        var a = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        await Task.Delay(2_100); // zip times have a resolution of 2 s
        var b = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);

        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(a.Artifact.Content.Span)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(b.Artifact.Content.Span)));
        var loaded = new MLContext(1).Model.Load(new MemoryStream(a.Artifact.Content.ToArray()), out _);
        var scores = loaded.Transform(holdout.Data).GetColumn<float>("Score").ToArray();
        Assert.Equal(((ITransformer)a.LiveModel!).Transform(holdout.Data).GetColumn<float>("Score").ToArray(), scores);
    }

    [Fact]
    public async Task LogLoss_OfTheEvaluator_AndOfTheRecomputationThatGatesAndSlicesUse_AreOneUnit()
    {
        var (train, holdout) = await DataAsync();
        var candidate = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        var report = await new MLNetEvaluator(MLTask.BinaryClassification, new MLNetEvaluationOptions()).EvaluateAsync(new EvaluationInput(candidate, null, holdout), Csv.Context);
        var outputs = report.Candidate.Outputs!;

        // ScoreMetrics is what the bootstrap, the slices and the significance tests compute with.
        var recomputed = ScoreMetrics.Compute([MetricNames.LogLoss], outputs.Labels.Span, outputs.Scores.Span)[MetricNames.LogLoss].Value;

        Assert.Equal(report.Candidate.Metrics[MetricNames.LogLoss].Value, recomputed, 4);
        Assert.NotEqual(report.Candidate.Metrics[MetricNames.LogLoss].Value * Math.Log(2), recomputed, 2); // not nats
    }

    [Fact]
    public void MLNetsInternalCancelExecution_IsStillThere()
    {
        Assert.True(MLNetTrainer.CancelsInsideFit, "MLContext.CancelExecution is gone from this ML.NET version: cancelling a run now waits for the fit to end; find its replacement before upgrading.");
    }

    [Fact]
    public async Task Train_CancelledToken_ThrowsOperationCanceled()
    {
        var (train, _) = await DataAsync();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context, cancellation.Token));
    }

    [Fact]
    public async Task Train_CancelledWhileFitting_StopsWithOperationCanceled()
    {
        // LightGBM on enough rows that fitting takes a while; cancellation arrives mid-fit through MLContext.
        var (train, _) = await DataAsync(20_000);
        using var cancellation = new CancellationTokenSource();
        var progress = new CancelOnFitting(cancellation);
        var context = new RetrainingContext("model", "run", TimeProvider.System) { Progress = progress };
        var trainer = new MLNetTrainer(
            ml => ml.Transforms.Concatenate("Features", "x").Append(ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "y", numberOfIterations: 5_000, numberOfLeaves: 64, minimumExampleCountPerLeaf: 2)),
            new MLNetTrainingOptions());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await trainer.TrainAsync(train, context, cancellation.Token));
        Assert.True(progress.Cancelled);
    }

    [Fact]
    public async Task Train_LightGbm_ReportsItsIterationsAsTheyGo()
    {
        // Read every 10 ms: LightGBM's 3,000 iterations on these rows take a fraction of a second, so the default
        // half-second reader may see only the end of the fit.
        var (train, _) = await DataAsync(20_000);
        var reports = new Recorded();
        var context = new RetrainingContext("model", "run", TimeProvider.System) { Progress = reports };
        var trainer = new MLNetTrainer(
            ml => ml.Transforms.Concatenate("Features", "x").Append(ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "y", numberOfIterations: 3_000, numberOfLeaves: 64, minimumExampleCountPerLeaf: 2)),
            new MLNetTrainingOptions { ProgressInterval = TimeSpan.FromMilliseconds(10) });

        await trainer.TrainAsync(train, context);

        var iterations = reports.All.Where(r => r.Message.Contains("Training with LightGBM", StringComparison.Ordinal) && r.Fraction is not null).ToList();
        Assert.NotEmpty(iterations);
        Assert.All(iterations, r => Assert.InRange(r.Fraction!.Value, 0.05, 0.9));
        Assert.Contains(iterations, r => r.Fraction < 0.9 && r.Message.Contains("iterations", StringComparison.Ordinal));
        Assert.Equal(iterations.Select(r => r.Fraction), iterations.Select(r => r.Fraction).Order());
        Assert.Equal(0.9, reports.All.Last(r => r.Fraction is not null).Fraction); // then the model is serialized
    }

    [Fact]
    public async Task Train_EstimatorNamesAnUnknownColumn_FailsWithML_NETsMessage()
    {
        var (train, _) = await DataAsync();
        var trainer = new MLNetTrainer(ml => ml.Transforms.Concatenate("Features", "nope").Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "y")), new MLNetTrainingOptions());
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await trainer.TrainAsync(train, Csv.Context));
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_CandidateAndChampion_OnTheSameHoldoutWithDirections()
    {
        var (train, holdout) = await DataAsync();
        var candidate = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        var weak = await new MLNetTrainer(
            ml => ml.Transforms.Concatenate("Features", "x").Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "y", numberOfLeaves: 2, numberOfTrees: 1, minimumExampleCountPerLeaf: 5)),
            new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        var championVersion = new ModelVersion("model", 1, new ArtifactReference(new string('0', 64), weak.Artifact.Content.Length), "mlnet", DateTimeOffset.UnixEpoch, "t");
        var evaluator = new MLNetEvaluator(MLTask.BinaryClassification, new MLNetEvaluationOptions());

        var report = await evaluator.EvaluateAsync(new EvaluationInput(candidate, new ChampionModel(championVersion, weak.Artifact), holdout), Csv.Context);

        Assert.Equal(holdout.RowCount, report.HoldoutRows);
        Assert.Equal(holdout.Fingerprint, report.Holdout);
        foreach (var name in new[] { "AUC", "PR-AUC", "Accuracy", "F1", "Precision", "Recall", "LogLoss", "Brier", "ECE" })
        {
            Assert.True(report.Candidate.Metrics.ContainsKey(name), name);
            Assert.True(report.Champion!.Metrics.ContainsKey(name), name);
        }

        Assert.Equal(MetricDirection.HigherIsBetter, report.Candidate.Metrics["AUC"].Direction);
        Assert.Equal(MetricDirection.LowerIsBetter, report.Candidate.Metrics["LogLoss"].Direction);
        Assert.Equal(MetricDirection.LowerIsBetter, report.Candidate.Metrics["Brier"].Direction);
        Assert.True(report.Candidate.Metrics["AUC"].Value > 0.8, $"candidate AUC {report.Candidate.Metrics["AUC"].Value}");
        Assert.True(report.Candidate.Metrics["AUC"].Value > report.Champion!.Metrics["AUC"].Value);
        Assert.Equal("champion v1", report.Champion.Model);
        Assert.Equal(holdout.RowCount, report.Candidate.Outputs!.Scores.Length);
        Assert.Equal(holdout.RowCount, report.Candidate.Calibration.Sum(b => b.Rows));
        Assert.Equal(Calibration.ExpectedCalibrationError(report.Candidate.Calibration), report.Candidate.Metrics["ECE"].Value, 12);
        Assert.Equal(holdout.RowCount, report.Champion.Outputs!.Labels.Length);
        Assert.Equal(report.Candidate.Outputs.Labels.ToArray(), report.Champion.Outputs.Labels.ToArray());
    }

    [Fact]
    public async Task Evaluate_DecisionThreshold_MovesPrecisionAndRecall()
    {
        var (train, holdout) = await DataAsync();
        var candidate = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        var standard = await new MLNetEvaluator(MLTask.BinaryClassification, new MLNetEvaluationOptions()).EvaluateAsync(new EvaluationInput(candidate, null, holdout), Csv.Context);
        var strict = await new MLNetEvaluator(MLTask.BinaryClassification, new MLNetEvaluationOptions { DecisionThreshold = 0.9 }).EvaluateAsync(new EvaluationInput(candidate, null, holdout), Csv.Context);
        Assert.True(strict.Candidate.Metrics["Precision"].Value >= standard.Candidate.Metrics["Precision"].Value);
        Assert.True(strict.Candidate.Metrics["Recall"].Value < standard.Candidate.Metrics["Recall"].Value);
        Assert.Equal(standard.Candidate.Metrics["AUC"].Value, strict.Candidate.Metrics["AUC"].Value);
    }

    [Fact]
    public async Task Evaluate_ChampionArtifactThatIsNotAModel_FailsNamingTheChampion()
    {
        var (train, holdout) = await DataAsync();
        var candidate = await new MLNetTrainer(Binary, new MLNetTrainingOptions()).TrainAsync(train, Csv.Context);
        var version = new ModelVersion("model", 3, new ArtifactReference(new string('0', 64), 3), "mlnet", DateTimeOffset.UnixEpoch, "t");
        var evaluator = new MLNetEvaluator(MLTask.BinaryClassification, new MLNetEvaluationOptions());
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await evaluator.EvaluateAsync(new EvaluationInput(candidate, new ChampionModel(version, new ModelArtifact("mlnet", "model.zip", new byte[] { 1, 2, 3 })), holdout), Csv.Context));
        Assert.Contains("champion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainAndEvaluate_Regression_ReportsErrorMetricsWithDirections()
    {
        var path = Csv.Synthetic(400);
        var schema = new CsvSchema().Time("date").Numeric("x").Text("cat").Boolean("y").DeriveNumeric("target", r => r.GetNumeric("x") * 3 + 1).Label("target");
        var data = await CsvDataSource.FromFile(path, schema).LoadAsync(Csv.Context);
        var model = await new MLNetTrainer(ml => ml.Transforms.Concatenate("Features", "x").Append(ml.Regression.Trainers.FastTree(labelColumnName: "target", numberOfLeaves: 8, numberOfTrees: 100, minimumExampleCountPerLeaf: 2)), new MLNetTrainingOptions()).TrainAsync(data, Csv.Context);
        var report = await new MLNetEvaluator(MLTask.Regression, new MLNetEvaluationOptions()).EvaluateAsync(new EvaluationInput(model, null, data), Csv.Context);
        Assert.Equal(MetricDirection.LowerIsBetter, report.Candidate.Metrics["RMSE"].Direction);
        Assert.Equal(MetricDirection.HigherIsBetter, report.Candidate.Metrics["R2"].Direction);
        Assert.True(report.Candidate.Metrics["R2"].Value > 0.95, $"R2 {report.Candidate.Metrics["R2"].Value}");
        Assert.Equal(MetricDirection.LowerIsBetter, report.Candidate.Metrics["MAPE"].Direction);
        Assert.Null(report.Champion);
    }

    [Fact]
    public async Task TrainAndEvaluate_Multiclass_ReportsAccuracyAndPerRowClasses()
    {
        var path = Csv.Synthetic(600);
        var schema = new CsvSchema().Time("date").Numeric("x").Text("cat").Boolean("y").DeriveText("band", r => r.GetNumeric("x") < -0.7f ? "low" : r.GetNumeric("x") > 0.7f ? "high" : "mid").Label("band");
        var data = await CsvDataSource.FromFile(path, schema).LoadAsync(Csv.Context);
        var model = await new MLNetTrainer(
            ml => ml.Transforms.Conversion.MapValueToKey("band").Append(ml.Transforms.Concatenate("Features", "x")).Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: "band")),
            new MLNetTrainingOptions()).TrainAsync(data, Csv.Context);
        var report = await new MLNetEvaluator(MLTask.MulticlassClassification, new MLNetEvaluationOptions()).EvaluateAsync(new EvaluationInput(model, null, data), Csv.Context);
        Assert.True(report.Candidate.Metrics["MicroAccuracy"].Value > 0.8);
        Assert.InRange(report.Candidate.Metrics["MacroF1"].Value, 0.5, 1);
        Assert.Equal(report.Candidate.Metrics["MicroAccuracy"].Value, report.Candidate.Metrics["MicroF1"].Value);
        Assert.Equal(MetricDirection.LowerIsBetter, report.Candidate.Metrics["LogLoss"].Direction);
        Assert.Equal(data.RowCount, report.Candidate.Outputs!.Scores.Length);
    }

    [Fact]
    public void Options_Defaults_AndValidation()
    {
        var training = new MLNetTrainingOptions();
        Assert.Equal(1, training.Seed);
        Assert.Equal("mlnet", training.Name);
        Assert.Null(training.Timeout);
        var evaluation = new MLNetEvaluationOptions();
        Assert.True(evaluation.KeepPerRowOutputs);
        Assert.Null(evaluation.LabelColumn);
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new RetrainingPipelineBuilder().AddMLNetTraining(Binary, o =>
        {
            o.Name = "";
            o.Timeout = TimeSpan.Zero;
        }));
        Assert.Equal(2, error.Failures.Count());
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new RetrainingPipelineBuilder().AddMLNetEvaluation((MLTask)42));
    }

    private sealed class Recorded : IProgress<RetrainingProgress>
    {
        private readonly List<RetrainingProgress> _all = [];

        public IReadOnlyList<RetrainingProgress> All
        {
            get
            {
                lock (_all)
                {
                    return [.. _all];
                }
            }
        }

        public void Report(RetrainingProgress value)
        {
            lock (_all)
            {
                _all.Add(value);
            }
        }
    }

    private sealed class CancelOnFitting(CancellationTokenSource cancellation) : IProgress<RetrainingProgress>
    {
        public bool Cancelled { get; private set; }

        public void Report(RetrainingProgress value)
        {
            if (value.Message.StartsWith("fitting", StringComparison.Ordinal))
            {
                // Let the fit start, then cancel from another thread.
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300);
                    Cancelled = true;
                    await cancellation.CancelAsync();
                });
            }
        }
    }
}
