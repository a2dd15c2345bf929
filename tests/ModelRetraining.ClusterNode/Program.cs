// Usage: ModelRetraining.ClusterNode <node-id> <capabilities, comma-separated, or -> <interval-ms> <train-ms>
// (the connection string comes from MR_WORKER_POSTGRES, kept off the command line for its password)
// One node of a retraining cluster: registry, journal and Quartz's clustered job store in one PostgreSQL
// database. Two pipelines retrain every <interval-ms>: "churn" on any node, "vision" only on a node with the
// capability "gpu". Each training takes <train-ms>, and each run's actor is the node, so the journal says
// where every run ran. MR_NODE_LEASE_MS sets the run lease (RetrainingPipelineOptions.RunLease), MR_NODE_SWEEP_MS
// how often the node looks for dead nodes' runs to resume (RetrainingCoordinatorOptions.ResumeSweepInterval). Prints "ready"
// once started; stops gracefully when its standard input closes.
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using ModelRetraining;
using ModelRetraining.Testing;

var node = args[0];
var capabilities = args[1] == "-" ? [] : args[1].Split(',');
var interval = TimeSpan.FromMilliseconds(int.Parse(args[2], CultureInfo.InvariantCulture));
var trainFor = TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture));
var database = Environment.GetEnvironmentVariable("MR_WORKER_POSTGRES")!;
var sweep = Environment.GetEnvironmentVariable("MR_NODE_SWEEP_MS") is { } sweepMs ? TimeSpan.FromMilliseconds(int.Parse(sweepMs, CultureInfo.InvariantCulture)) : TimeSpan.FromMinutes(1);
var lease = Environment.GetEnvironmentVariable("MR_NODE_LEASE_MS") is { } ms ? TimeSpan.FromMilliseconds(int.Parse(ms, CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(60);

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
builder.Services.AddModelRetraining()
    .UsePostgreSql(database, o => o.Schema = "cluster")
    .AddPipeline("churn", (p, _) => Pipeline(p))
    .AddPipeline("vision", (p, _) => Pipeline(p))
    .AddIntervalTrigger("churn", interval)
    .AddIntervalTrigger("vision", interval)
    .RequireCapability("vision", "gpu")
    .ConfigureCoordinator("churn", o => (o.Actor, o.Cooldown, o.ResumeSweepInterval) = (node, TimeSpan.FromMilliseconds(1), sweep))
    .ConfigureCoordinator("vision", o => (o.Actor, o.Cooldown, o.ResumeSweepInterval) = (node, TimeSpan.FromMilliseconds(1), sweep))
    .UsePostgreSqlJobStore(database, o =>
    {
        o.NodeId = node;
        o.CheckinInterval = TimeSpan.FromSeconds(1);
        o.CheckinMisfireThreshold = TimeSpan.FromSeconds(3);
        foreach (var capability in capabilities)
        {
            o.Capabilities.Add(capability);
        }
    });

// MR_NODE_MODELS=N adds N models m01..mN retrained by a cron trigger every two seconds (the scheduling test),
// or every MR_NODE_MODEL_INTERVAL_MS by an interval trigger (benchmarks/cluster/run.sh).
var cronModels = Environment.GetEnvironmentVariable("MR_NODE_MODELS") is { } count ? int.Parse(count, CultureInfo.InvariantCulture) : 0;
var retraining = builder.Services.AddModelRetraining();
for (var i = 1; i <= cronModels; i++)
{
    var model = $"m{i:00}";
    retraining.AddPipeline(model, (p, _) => Pipeline(p));
    _ = Environment.GetEnvironmentVariable("MR_NODE_MODEL_INTERVAL_MS") is { } every
        ? retraining.AddIntervalTrigger(model, TimeSpan.FromMilliseconds(int.Parse(every, CultureInfo.InvariantCulture)))
        : retraining.AddCronTrigger(model, "0/2 * * * * ?");
    retraining.ConfigureCoordinator(model, o => (o.Actor, o.Cooldown) = (node, TimeSpan.FromMilliseconds(1)));
}

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await Console.In.ReadToEndAsync();
await host.StopAsync();
Console.WriteLine("stopped");

RetrainingPipelineBuilder Pipeline(RetrainingPipelineBuilder p)
{
    var trainer = new FakeTrainer();
    var train = trainer.OnTrain;
    trainer.OnTrain = (data, context, ct) =>
    {
        ct.WaitHandle.WaitOne(trainFor);
        ct.ThrowIfCancellationRequested();
        return train(data, context, ct);
    };
    return p.UseTrainingData(new FakeDataSource("train", (_, _) => Snapshot("train")))
        .UseHoldoutData(new FakeDataSource("holdout", (_, _) => Snapshot("holdout")))
        .UseTrainer(trainer)
        .UseEvaluator(new FakeEvaluator { CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.8, MetricDirection.HigherIsBetter)) })
        .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5))
        .Configure(o => o.RunLease = lease);
}

static DatasetSnapshot Snapshot(string name) => new(
    name,
    new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => new Row { X = i, Label = i % 2 == 0 }).ToArray()),
    new DataSchema([new DataColumn("X", DataColumnKind.Numeric), new DataColumn("Label", DataColumnKind.Boolean)], "Label"),
    40,
    $"sha256:{name}");

internal sealed class Row
{
    public float X { get; set; }

    public bool Label { get; set; }
}
