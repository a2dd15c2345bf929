using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ModelRetraining;

/// <summary>The names under which ModelRetraining reports spans and metrics.</summary>
public static class RetrainingTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and the <see cref="Meter"/>: <c>ModelRetraining</c>.</summary>
    public const string Name = "ModelRetraining";

    internal static readonly ActivitySource Source = new(Name, typeof(RetrainingTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(Name, typeof(RetrainingTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> Runs = Meter.CreateCounter<long>("modelretraining.runs", "{run}", "Retraining runs by end state.");

    internal static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>("modelretraining.stage.duration", "s", "Duration of each pipeline stage.");

    internal static readonly Counter<long> Promotions = Meter.CreateCounter<long>("modelretraining.promotions", "{promotion}", "Champion alias moves made by pipelines.");

    internal static readonly Counter<long> DriftedColumns = Meter.CreateCounter<long>("modelretraining.drift.columns", "{column}", "Columns found drifted against the champion's training data.");

    internal static readonly Counter<long> DriftedDataSets = Meter.CreateCounter<long>("modelretraining.drift.datasets", "{dataset}", "Data sets found drifted against the champion's training data.");

    internal static readonly Histogram<double> DriftScore = Meter.CreateHistogram<double>("modelretraining.drift.score", null, "Drift statistic per column and check.");

    internal static readonly Counter<long> DataIssues = Meter.CreateCounter<long>("modelretraining.validation.issues", "{issue}", "Data validation issues by severity.");
}
