using Microsoft.ML;
using ModelRetraining;
using ModelRetraining.MLNet;

namespace QuickStart;

/// <summary>The flight-delay model of the quick start: its CSV schema, features and trainer.</summary>
public static class FlightDelays
{
    /// <summary>The committed data set (every 12th BTS record of January–June 2001).</summary>
    public static string DataFile => Path.Combine(AppContext.BaseDirectory, "data", "flights-2001", "flights-2001-250k.csv.gz");

    /// <summary>
    /// The CSV schema: the five columns of the file, the day of week derived from the departure time
    /// (its hour would leak the delay; the day of month only memorizes January's storms), and the
    /// label Late = arrival delay over 15 minutes.
    /// </summary>
    public static CsvSchema Schema()
    {
        // <snippet:schema>
        var schema = new CsvSchema()
            .Time("date")                   // the time column that Between(from, to) filters on
            .Numeric("delay")
            .Numeric("distance")
            .Text("origin")
            .Text("destination")
            .DeriveNumeric("DayOfWeek", row => row.GetDateTime("date") is { } at ? (float)at.DayOfWeek : float.NaN)
            .DeriveBoolean("Late", row => row.IsMissing("delay") ? null : row.GetNumeric("delay") > 15)
            .Label("Late");
        // </snippet:schema>
        return schema;
    }

    /// <summary>
    /// One-hot airports, then a small, regularized LightGBM (7 leaves, at least 500 rows a leaf): larger
    /// trees fit January's weather and score worse on later months.
    /// </summary>
    /// <param name="ml">The run's ML.NET context.</param>
    /// <returns>The estimator.</returns>
    public static IEstimator<ITransformer> Estimator(MLContext ml)
        => ml.Transforms.Categorical.OneHotEncoding([new("OriginKey", "origin"), new("DestinationKey", "destination")])
            .Append(ml.Transforms.Concatenate("Features", "DayOfWeek", "distance", "OriginKey", "DestinationKey"))
            .Append(ml.BinaryClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmBinaryTrainer.Options
            {
                LabelColumnName = "Late",
                FeatureColumnName = "Features",
                NumberOfIterations = 100,
                NumberOfLeaves = 7,
                MinimumExampleCountPerLeaf = 500,
                LearningRate = 0.1,
                Sigmoid = 1.0,
                Seed = 1,
                NumberOfThreads = Environment.ProcessorCount,
            }));

    /// <summary>A pipeline for the flight-delay model on one training window and one holdout window.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="dataFile">The CSV file.</param>
    /// <param name="train">The training window [from, to).</param>
    /// <param name="holdout">The holdout window [from, to).</param>
    /// <param name="reportFolder">Where drift reports go, or <see langword="null"/> for none.</param>
    /// <returns>The builder, ready to build or to adjust.</returns>
    public static RetrainingPipelineBuilder Pipeline(IModelRegistry registry, string dataFile, (DateTime From, DateTime To) train, (DateTime From, DateTime To) holdout, string? reportFolder = null)
    {
        var source = CsvDataSource.FromFile(dataFile, Schema());
        return Pipeline(registry, source.Between(train.From, train.To), source.Between(holdout.From, holdout.To), reportFolder);
    }

    /// <summary>A pipeline for the flight-delay model on any training and holdout sources.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="training">The training data.</param>
    /// <param name="holdout">The holdout.</param>
    /// <param name="reportFolder">Where drift reports go, or <see langword="null"/> for none.</param>
    /// <returns>The builder, ready to build or to adjust.</returns>
    public static RetrainingPipelineBuilder Pipeline(IModelRegistry registry, IDataSource training, IDataSource holdout, string? reportFolder = null)
        => Configure(new RetrainingPipelineBuilder { ModelName = "flight-delays", Actor = "quickstart" }, training, holdout, reportFolder)
            .UseRegistry(registry);                             // e.g. ModelRegistry.Embedded("models")

    /// <summary>Adds the flight-delay model's stages to a pipeline builder (a host's <c>AddPipeline</c> hands one in).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="training">The training data.</param>
    /// <param name="holdout">The holdout.</param>
    /// <param name="reportFolder">Where drift reports go, or <see langword="null"/> for none.</param>
    /// <returns>The builder.</returns>
    public static RetrainingPipelineBuilder Configure(RetrainingPipelineBuilder builder, IDataSource training, IDataSource holdout, string? reportFolder = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // <snippet:pipeline>
        builder
            .UseTrainingData(training)                          // e.g. CsvDataSource.FromFile(path, schema).Between(march, june)
            .UseHoldoutData(holdout)                            // candidate AND champion are scored on these rows
            .AddSchemaValidation(Schema().ToDataSchema())       // columns, types, rows, label: Rejected before training
            .AddDataQuality(q => q                              // Deequ-style rules: Error blocks, Warning reports
                .Completeness("delay", mostly: 0.99)
                .InRange("distance", 1, 6_000)
                .RowCount(min: 1_000))
            .AddChampionSchemaValidation()                      // new categories, out-of-range values vs the champion's schema
            .AddDriftDetection(o => o.ReportFolder = reportFolder) // against the champion's stored training-data profile
            .AddMLNetTraining(Estimator, o => o.Seed = 1)       // any ML.NET estimator, seeded, on a worker thread
            .AddMLNetEvaluation(MLTask.BinaryClassification)    // AUC, PR-AUC, LogLoss, Brier, ... with directions
            .AddPromotionGate(g => g
                .Metric("AUC").AtLeast(0.55)
                .NoWorseThanChampion("AUC", margin: 0.005)
                .NotSignificantlyWorse("AUC", margin: 0.005)   // DeLong on both models' June scores
                .NoWorseThanChampion("LogLoss", margin: 0.005)
                .OnFirstRun(FirstRunPolicy.ValueThresholdsOnly));
        // </snippet:pipeline>
        return builder;
    }
}
