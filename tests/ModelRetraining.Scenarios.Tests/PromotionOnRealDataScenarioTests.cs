using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// Story: on Lucas County house sales (regression on log-price) and on US flights (binary), a model
/// retrained on recent data beats the old champion on the newest period and is promoted; the same data
/// with a deliberately worse trainer is rejected, the reason naming the metric, both values and the limit.
/// </summary>
public class PromotionOnRealDataScenarioTests
{
    private static string Houses => Path.Combine(AppContext.BaseDirectory, "data", "lucas-county-house-sales", "lucas_house_sales.csv.gz");

    private static CsvSchema HouseSchema() => new CsvSchema()
        .Time("sale_date")
        .Numeric("price").Numeric("yrbuilt").Numeric("TLA").Numeric("beds").Numeric("baths").Numeric("halfbaths")
        .Numeric("frontage").Numeric("depth").Numeric("garagesqft").Numeric("rooms").Numeric("lotsize").Numeric("long").Numeric("lat")
        .Text("stories").Text("wall").Text("garage")
        .DeriveNumeric("LogPrice", row => (float)Math.Log(row.GetNumeric("price")))
        .Label("LogPrice");

    private static IEstimator<ITransformer> HouseModel(MLContext ml, int iterations, int leaves, params string[] features)
        => ml.Transforms.Categorical.OneHotEncoding([new("StoriesKey", "stories"), new("WallKey", "wall"), new("GarageKey", "garage")])
            .Append(ml.Transforms.Concatenate("Features", features))
            .Append(ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options { LabelColumnName = "LogPrice", NumberOfIterations = iterations, NumberOfLeaves = leaves, MinimumExampleCountPerLeaf = 20, LearningRate = 0.1, Seed = 1, NumberOfThreads = 1 }));

    private static readonly string[] AllFeatures = ["yrbuilt", "TLA", "beds", "baths", "halfbaths", "frontage", "depth", "garagesqft", "rooms", "lotsize", "long", "lat", "StoriesKey", "WallKey", "GarageKey"];

    private static RetrainingPipeline HousePipeline(IModelRegistry registry, (DateTime, DateTime) train, (DateTime, DateTime) holdout, Func<MLContext, IEstimator<ITransformer>> estimator)
    {
        var source = CsvDataSource.FromFile(Houses, HouseSchema());
        return new RetrainingPipelineBuilder { ModelName = "house-prices" }
            .UseTrainingData(source.Between(train.Item1, train.Item2))
            .UseHoldoutData(source.Between(holdout.Item1, holdout.Item2))
            .AddMLNetTraining(estimator)
            .AddMLNetEvaluation(MLTask.Regression)
            .AddPromotionGate(g => g.Metric("R2").AtLeast(0.6).NoWorseThanChampion("RMSE", margin: 0).NotSignificantlyWorse("MAE", margin: 0.005))
            .UseRegistry(registry)
            .Build();
    }

    [Fact]
    public async Task Houses_RetrainedOnRecentSales_IsPromoted_AndAWorseTrainerIsRejected()
    {
        var registry = ModelRegistry.Embedded(Path.Combine(Path.GetTempPath(), "mr-houses", Guid.NewGuid().ToString("N")));
        var champion = await HousePipeline(registry, (new(1993, 1, 1), new(1996, 1, 1)), (new(1996, 1, 1), new(1996, 4, 1)), ml => HouseModel(ml, 200, 31, AllFeatures)).RunAsync();
        Assert.Equal(RetrainingRunStatus.Succeeded, champion.Status);

        var retrained = await HousePipeline(registry, (new(1995, 1, 1), new(1998, 1, 1)), (new(1998, 1, 1), new(1999, 1, 1)), ml => HouseModel(ml, 200, 31, AllFeatures)).RunAsync();
        Assert.True(retrained.Status == RetrainingRunStatus.Succeeded, string.Join(" | ", retrained.Reasons));
        var rmse = retrained.Decision!.Criteria.Single(c => c.Metric == "RMSE");
        Assert.True(rmse.CandidateValue < rmse.ChampionValue, $"RMSE {rmse.CandidateValue} vs {rmse.ChampionValue}");
        Assert.Equal(4_378, retrained.Evaluation!.HoldoutRows);

        var worse = await HousePipeline(registry, (new(1995, 1, 1), new(1998, 1, 1)), (new(1998, 1, 1), new(1999, 1, 1)), ml => HouseModel(ml, 3, 2, "rooms")).RunAsync();
        Assert.Equal(RetrainingRunStatus.Rejected, worse.Status);
        var reason = worse.Reasons.First(r => r.StartsWith("RMSE", StringComparison.Ordinal));
        var row = worse.Decision!.Criteria.Single(c => c.Metric == "RMSE");
        Assert.Contains(FormattableString.Invariant($"{row.CandidateValue:0.######}"), reason, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"{row.ChampionValue:0.######}"), reason, StringComparison.Ordinal);
        Assert.Contains("difference <= 0", reason, StringComparison.Ordinal);
        Assert.Equal(2, (await registry.GetAliasAsync("house-prices", ModelAliases.Champion))?.Version);
    }

    [Fact]
    public async Task Flights_AWorseTrainerOnRecentData_IsRejectedAgainstTheChampion()
    {
        var registry = ModelRegistry.Embedded(Path.Combine(Path.GetTempPath(), "mr-flights-worse", Guid.NewGuid().ToString("N")));
        var first = await FlightDelays.Pipeline(registry, FlightDelays.DataFile, (new(2001, 1, 1), new(2001, 3, 1)), (new(2001, 3, 1), new(2001, 3, 8))).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Succeeded, first.Status);

        var source = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var worse = await new RetrainingPipelineBuilder { ModelName = "flight-delays" }
            .UseTrainingData(source.Between(new DateTime(2001, 3, 1), new DateTime(2001, 6, 1)))
            .UseHoldoutData(source.Between(new DateTime(2001, 6, 1), new DateTime(2001, 7, 1)))
            .AddMLNetTraining(ml => ml.Transforms.Concatenate("Features", "distance").Append(ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "Late", numberOfIterations: 5, numberOfLeaves: 2)))
            .AddMLNetEvaluation(MLTask.BinaryClassification)
            .AddPromotionGate(g => g.NoWorseThanChampion("AUC", margin: 0.005).SignificantlyBetter("AUC"))
            .UseRegistry(registry)
            .Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, worse.Status);
        var auc = worse.Decision!.Criteria.First(c => c.Criterion == "AUC no worse than champion");
        Assert.False(auc.Passed);
        Assert.Contains("difference >= -0.005", auc.Explanation, StringComparison.Ordinal);
        Assert.Contains(FormattableString.Invariant($"champion {auc.ChampionValue:0.######}"), auc.Explanation, StringComparison.Ordinal);
        var significance = worse.Decision.Criteria.Single(c => c.Criterion == "AUC significantly better");
        Assert.False(significance.Passed);
        Assert.NotNull(significance.ConfidenceLower);
        Assert.Equal(1, (await registry.GetAliasAsync("flight-delays", ModelAliases.Champion))?.Version);
    }
}
