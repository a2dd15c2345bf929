// The README's "Getting started", whole: this file is the snippet, so what a reader pastes compiles.
// <snippet:getting-started>
using Microsoft.ML;
using ModelRetraining;
using ModelRetraining.MLNet;

var flights = CsvDataSource.FromFile(args.FirstOrDefault() ?? "data/flights-2001/flights-2001-250k.csv.gz", new CsvSchema()
    .Time("date").Numeric("delay").Numeric("distance").Text("origin").Text("destination")
    .DeriveBoolean("Late", row => row.IsMissing("delay") ? null : row.GetNumeric("delay") > 15)
    .Label("Late"));

var pipeline = new RetrainingPipelineBuilder { ModelName = "flight-delays" }
    .UseTrainingData(flights.Between(new DateTime(2001, 3, 1), new DateTime(2001, 6, 1)))
    .UseHoldoutData(flights.Between(new DateTime(2001, 6, 1), new DateTime(2001, 7, 1)))
    .AddMLNetTraining(ml => ml.Transforms.Concatenate("Features", "distance")
        .Append(ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "Late", numberOfIterations: 50)))
    .AddMLNetEvaluation(MLTask.BinaryClassification)
    .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5).NoWorseThanChampion("AUC", margin: 0.005))
    .UseRegistry(ModelRegistry.Embedded("models"))
    .Build();

Console.WriteLine(await pipeline.RunAsync()); // the outcome, both models on one holdout, the decision table
// </snippet:getting-started>
