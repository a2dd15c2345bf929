// Usage: ModelRetraining.CrashWorker <registry-folder> <lucas_house_sales.csv.gz> <seed|run|resume> <run-id> <pause-at>
// seed:   trains the first champion on 1993–1995 sales.
// run:    retrains on 1995–1997 sales, evaluated on 1998; at <pause-at> (a stage name, "after-register" or
//         "after-promote") prints "PAUSED <pause-at>" and waits forever, for the test to kill it.
// resume: resumes every unfinished run of the model and prints "RESUMED <run-id> <status> v<version>", or
//         "REFUSED <run-id> ..." when another process holds (or already finished) the run.
using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;
using ModelRetraining;
using ModelRetraining.CrashWorker;
using ModelRetraining.MLNet;

var (folder, csv, mode, runId, pauseAt) = (args[0], args[1], args[2], args[3], args[4]);
var registry = new PausingRegistry(ModelRegistry.Embedded(folder), pauseAt);
var schema = new CsvSchema()
    .Time("sale_date")
    .Numeric("price").Numeric("yrbuilt").Numeric("TLA").Numeric("beds").Numeric("baths").Numeric("lotsize").Numeric("long").Numeric("lat")
    .DeriveNumeric("LogPrice", row => (float)Math.Log(row.GetNumeric("price")))
    .Label("LogPrice");
var source = CsvDataSource.FromFile(csv, schema);
var seed = mode == "seed";
var pipeline = new RetrainingPipelineBuilder { ModelName = "house-prices", Actor = "crash-worker" }
    .UseTrainingData(seed ? source.Between(new(1993, 1, 1), new(1995, 1, 1)) : source.Between(new(1995, 1, 1), new(1998, 1, 1)))
    .UseHoldoutData(seed ? source.Between(new(1995, 1, 1), new(1995, 7, 1)) : source.Between(new(1998, 1, 1), new(1999, 1, 1)))
    .AddMLNetTraining(ml => ml.Transforms.Concatenate("Features", "yrbuilt", "TLA", "beds", "baths", "lotsize", "long", "lat")
        .Append(ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options { LabelColumnName = "LogPrice", NumberOfIterations = 60, NumberOfLeaves = 15, Seed = 1, NumberOfThreads = 1 })))
    .AddMLNetEvaluation(MLTask.Regression)
    .AddPromotionGate(g => g.Metric("R2").AtLeast(0.3).NoWorseThanChampion("RMSE", margin: 0))
    .UseRegistry(registry)
    .Build();

if (mode == "resume")
{
    foreach (var unfinished in await pipeline.FindUnfinishedRunsAsync())
    {
        try
        {
            var resumed = await pipeline.ResumeAsync(unfinished);
            Console.WriteLine($"RESUMED {unfinished} {resumed.Status} v{resumed.RegisteredVersion?.Version} after {resumed.ResumedAfter} {string.Join(" | ", resumed.Reasons)}");
        }
        catch (Exception ex) when (ex is RunClaimedException or InvalidOperationException)
        {
            // Another process resumed it first (claimed), or finished it before this one read the journal.
            Console.WriteLine($"REFUSED {unfinished} {ex.GetType().Name}: {ex.Message}");
        }
    }

    return 0;
}

var result = await pipeline.RunAsync(new RetrainingRunOptions { RunId = runId, Progress = new PauseAtStage(registry) });
Console.WriteLine($"ENDED {result.RunId} {result.Status} v{result.RegisteredVersion?.Version} {string.Join(" | ", result.Reasons)}");
return result.Status == RetrainingRunStatus.Succeeded ? 0 : 1;
