using System.Diagnostics;
using Microsoft.Data.Sqlite;
using ModelRetraining.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using QuickStart;

namespace ModelRetraining.OpenTelemetry.Tests;

/// <summary>
/// The quick start's real pipeline (ML.NET on real flights) watched by OpenTelemetry's own SDK with its
/// in-memory exporter: the spans and instruments a user of <c>AddModelRetrainingInstrumentation</c> gets.
/// </summary>
public sealed class InstrumentationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-otel", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static RetrainingPipeline Pipeline(IModelRegistry registry, string dataFile)
    {
        var flights = CsvDataSource.FromFile(dataFile, FlightDelays.Schema());
        return FlightDelays.Pipeline(registry, flights.Between(new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)), flights.Between(new DateTime(2001, 2, 1), new DateTime(2001, 2, 15))).Build();
    }

    [Fact]
    public async Task ARun_IsASpanWithAChildPerStage_AndCountedByStatus()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddModelRetrainingInstrumentation().AddInMemoryExporter(spans).Build())
        using (var meters = Sdk.CreateMeterProviderBuilder().AddModelRetrainingInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            var result = await Pipeline(ModelRegistry.Embedded(_folder), FlightDelays.DataFile).RunAsync(new RetrainingRunOptions { RunId = "otel-1" });
            Assert.True(result.Promoted, result.ToString());
            tracing!.ForceFlush();
            meters!.ForceFlush();
        }

        var run = spans.Single(s => s.OperationName == "ModelRetraining.Run" && (string?)s.GetTagItem("modelretraining.run_id") == "otel-1");
        Assert.Equal("flight-delays", run.GetTagItem("modelretraining.model"));
        Assert.Equal("Succeeded", run.GetTagItem("modelretraining.status"));
        Assert.NotEqual(ActivityStatusCode.Error, run.Status);
        var stages = spans.Where(s => s.ParentSpanId == run.SpanId).Select(s => s.OperationName).ToList();
        Assert.Equal(["ModelRetraining.Ingesting", "ModelRetraining.Validating", "ModelRetraining.Training", "ModelRetraining.Evaluating", "ModelRetraining.Gating", "ModelRetraining.Registering", "ModelRetraining.Promoting"], stages);

        var runs = metrics.Last(m => m.Name == "modelretraining.runs");
        Assert.Equal("{run}", runs.Unit);
        var succeeded = 0L;
        foreach (ref readonly var point in runs.GetMetricPoints())
        {
            foreach (var tag in point.Tags)
            {
                if (tag is { Key: "status", Value: "Succeeded" })
                {
                    succeeded += point.GetSumLong();
                }
            }
        }

        Assert.Equal(1, succeeded);
        Assert.Equal("s", metrics.Last(m => m.Name == "modelretraining.stage.duration").Unit);
        Assert.All(metrics, m => Assert.Matches("^modelretraining(\\.[a-z_]+)+$", m.Name)); // lowercase, dotted
    }

    [Fact]
    public async Task AFailedRun_IsAnErrorSpan_WithTheExceptionAndItsType()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddModelRetrainingInstrumentation().AddInMemoryExporter(spans).Build())
        {
            var result = await Pipeline(ModelRegistry.Embedded(_folder), Path.Combine(_folder, "missing.csv")).RunAsync(new RetrainingRunOptions { RunId = "otel-2" });
            Assert.Equal(RetrainingRunStatus.Failed, result.Status);
            tracing!.ForceFlush();
        }

        var run = spans.Single(s => s.OperationName == "ModelRetraining.Run" && (string?)s.GetTagItem("modelretraining.run_id") == "otel-2");
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal(typeof(FileNotFoundException).FullName, run.GetTagItem("error.type"));
        var exception = run.Events.Single(e => e.Name == "exception");
        Assert.Contains(exception.Tags, t => t.Key == "exception.type" && (string?)t.Value == typeof(FileNotFoundException).FullName);
    }
}
