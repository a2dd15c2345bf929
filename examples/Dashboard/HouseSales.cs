using Microsoft.ML;
using ModelRetraining;
using ModelRetraining.MLNet;

namespace DashboardExample;

/// <summary>
/// The second model of the example: sale prices of Lucas County (Ohio) homes, 1993–1998 (real county
/// auditor data, <c>examples/data/lucas-county-house-sales/SOURCE.md</c>), a LightGBM regression on size,
/// age, rooms, lot and garage. The assessed value is left out: it is set from the sale price (leakage).
/// </summary>
public static class HouseSales
{
    public static string DataFile => Path.Combine(AppContext.BaseDirectory, "data", "lucas-county-house-sales", "lucas_house_sales.csv.gz");

    public static CsvSchema Schema()
    {
        var schema = new CsvSchema()
            .Time("sale_date")
            .Numeric("price")
            .Numeric("TLA")
            .Numeric("yrbuilt")
            .Numeric("beds")
            .Numeric("baths")
            .Numeric("rooms")
            .Numeric("lotsize")
            .Numeric("garagesqft")
            .Text("stories")
            .Text("wall")
            .Text("garage")
            .Label("price");
        foreach (var unused in new[] { "halfbaths", "frontage", "depth", "sdate", "avalue", "s1993", "s1994", "s1995", "s1996", "s1997", "s1998", "syear", "age", "long", "lat" })
        {
            schema.Ignore(unused);
        }

        return schema;
    }

    public static IEstimator<ITransformer> Estimator(MLContext ml)
        => ml.Transforms.Categorical.OneHotEncoding([new("StoriesKey", "stories"), new("WallKey", "wall"), new("GarageKey", "garage")])
            .Append(ml.Transforms.Concatenate("Features", "TLA", "yrbuilt", "beds", "baths", "rooms", "lotsize", "garagesqft", "StoriesKey", "WallKey", "GarageKey"))
            .Append(ml.Regression.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmRegressionTrainer.Options
            {
                LabelColumnName = "price",
                FeatureColumnName = "Features",
                NumberOfIterations = 200,
                NumberOfLeaves = 15,
                MinimumExampleCountPerLeaf = 50,
                Seed = 1,
            }));

    /// <summary>Trains on the sales of [<paramref name="from"/>, <paramref name="to"/>) and holds out the year after.</summary>
    public static RetrainingPipelineBuilder Configure(RetrainingPipelineBuilder builder, DateTime from, DateTime to)
    {
        var sales = CsvDataSource.FromFile(DataFile, Schema());
        return builder
            .UseTrainingData(sales.Between(from, to))
            .UseHoldoutData(sales.Between(to, to.AddYears(1)))
            .AddSchemaValidation(Schema().ToDataSchema())
            .AddDataQuality(q => q.InRange("price", 1_000, 2_000_000).RowCount(min: 1_000))
            .AddDriftDetection()
            .AddMLNetTraining(Estimator, o => o.Seed = 1)
            .AddMLNetEvaluation(MLTask.Regression)
            .AddPromotionGate(g => g
                .Metric("R2").AtLeast(0.5)
                .NoWorseThanChampion("RMSE", margin: 2_000)
                .OnFirstRun(FirstRunPolicy.ValueThresholdsOnly));
    }
}
