using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ModelRetraining.Dashboard;

/// <summary>
/// A run of this process as it goes: the stage with its percent, rows per second and time left, and charts of
/// the process's CPU, working set, managed heap and GPU (where one exists). Rendered whole with the page (it reads
/// right without script), then followed by a stream of frames at most once a second: the first frame carries every
/// sample, the next ones only the new samples, so fifty watchers of an hour-long run cost kilobytes a second.
/// </summary>
internal static class LiveRunView
{
    private const int Width = 300;
    private const int Height = 80;

    private static readonly (string Key, string Title, Func<ResourceSample, double?> Value, Func<double, string> Format, double? Max)[] Charts =
    [
        ("cpu", "CPU", s => s.CpuPercent, v => $"{v:0} %", 100),
        ("memory", "Working set", s => s.WorkingSetBytes, Bytes, null),
        ("heap", "GC heap", s => s.GcHeapBytes, Bytes, null),
        ("gpu", "GPU", s => s.Gpu?.UtilizationPercent, v => $"{v:0} %", 100),
        ("gpumemory", "GPU memory", s => s.Gpu?.MemoryUsedBytes, Bytes, null),
    ];

    public static void Render(Html body, LiveRun? live, string streamUrl)
    {
        body.Tag("h2", "Progress and resources");
        if (live is null)
        {
            body.Tag("p", "Live progress and resources are shown for runs of this process while it remembers them (the run monitor): this run ran on another node, or before this process started.", "muted");
            return;
        }

        body.Raw("<section id=\"live\" data-live-run=\"").Attribute(streamUrl).Raw("\">")
            .Raw("<p><progress id=\"live-progress\" max=\"100\" value=\"").Raw(Percent(live)?.ToString("0", CultureInfo.InvariantCulture) ?? "0").Raw("\"></progress> ")
            .Raw("<span id=\"live-summary\">").Text(Summary(live)).Raw("</span></p>")
            .Raw("<p id=\"live-message\" class=\"muted\">").Text(live.Message).Raw("</p><div class=\"charts\">");
        foreach (var chart in Charts)
        {
            var points = live.Samples.Where(s => chart.Value(s) is not null).ToList();
            var hidden = chart.Key.StartsWith("gpu", StringComparison.Ordinal) && points.Count == 0; // no GPU here: no chart, not a flat zero
            body.Raw($"<figure class=\"chart\" id=\"chart-{chart.Key}\"{(hidden ? " hidden" : string.Empty)}><figcaption>").Text(chart.Title).Raw(" <span class=\"value\">")
                .Text(points.Count > 0 ? chart.Format(chart.Value(points[^1])!.Value) : "–")
                .Raw($"</span></figcaption><svg viewBox=\"0 0 {Width} {Height}\" preserveAspectRatio=\"none\" role=\"img\" data-points=\"{points.Count}\"><polyline points=\"")
                .Raw(Polyline(points, chart.Value, chart.Max)).Raw("\"/></svg></figure>");
        }

        body.Raw("</div><h3>Log</h3><pre id=\"live-log\" class=\"log\">");
        foreach (var line in live.LogLines)
        {
            body.Text(LogText(line)).Raw("\n");
        }

        body.Raw("</pre></section>");
    }

    internal static string LogText(RunLogLine line) => $"{line.At.UtcDateTime:HH:mm:ss} {Level(line.Level)} {line.Message}";

    private static string Level(Microsoft.Extensions.Logging.LogLevel level) => level switch
    {
        Microsoft.Extensions.Logging.LogLevel.Warning => "warn",
        Microsoft.Extensions.Logging.LogLevel.Error => "fail",
        Microsoft.Extensions.Logging.LogLevel.Critical => "crit",
        Microsoft.Extensions.Logging.LogLevel.Debug => "dbug",
        Microsoft.Extensions.Logging.LogLevel.Trace => "trce",
        _ => "info",
    };

    /// <summary>Frames of one run while it runs, then its last frame; nothing while it does not change.</summary>
    public static async IAsyncEnumerable<SseItem<string>> StreamAsync(RunMonitor monitor, string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long seenRevision = -1;
        var sent = 0;
        DateTimeOffset? lastSample = null;
        long lastLine = 0;
        var quiet = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            var live = monitor.Find(runId);
            if (live is null)
            {
                yield break; // forgotten (or never here): the page keeps what it shows
            }

            if (live.Revision != seenRevision || quiet >= TimeSpan.FromSeconds(15))
            {
                var fresh = lastSample is { } after ? live.Samples.Where(s => s.At > after).ToList() : [.. live.Samples];
                var lines = live.LogLines.Where(l => l.Sequence > lastLine).ToList();
                yield return new SseItem<string>(Frame(live, fresh, lines, reset: sent == 0), "progress") { EventId = live.Revision.ToString(CultureInfo.InvariantCulture) };
                sent++;
                lastLine = live.LogLines.Count > 0 ? live.LogLines[^1].Sequence : lastLine;
                seenRevision = live.Revision;
                lastSample = live.Samples.Count > 0 ? live.Samples[^1].At : lastSample;
                quiet = TimeSpan.Zero;
                if (!live.IsActive)
                {
                    yield break;
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                quiet += TimeSpan.FromSeconds(1);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    internal static string Frame(LiveRun live, IReadOnlyList<ResourceSample> samples, IReadOnlyList<RunLogLine> lines, bool reset)
    {
        var frame = new
        {
            reset,
            active = live.IsActive,
            stage = live.Stage.ToString(),
            percent = Percent(live),
            summary = Summary(live),
            message = live.Message,
            outcome = live.Outcome?.ToString(),
            samples = samples.Select(s => new
            {
                t = s.At.ToUnixTimeMilliseconds(),
                cpu = Math.Round(s.CpuPercent, 1),
                memory = s.WorkingSetBytes,
                heap = s.GcHeapBytes,
                gpu = s.Gpu?.UtilizationPercent,
                gpumemory = s.Gpu?.MemoryUsedBytes,
            }),
            log = lines.Select(LogText),
        };

        // The default encoder escapes <, > and & as well: a model's message is data wherever the frame lands.
        return JsonSerializer.Serialize(frame);
    }

    internal static double? Percent(LiveRun live) => live.Outcome == RetrainingRunStatus.Succeeded ? 100 : live.Fraction * 100;

    internal static string Summary(LiveRun live)
    {
        var text = new StringBuilder(live.IsActive ? live.Stage.ToString() : $"{live.Outcome?.ToString() ?? "Stopped"} at {live.Stage}");
        if (Percent(live) is { } percent)
        {
            text.Append(CultureInfo.InvariantCulture, $" · {percent:0} %");
        }

        if (live.IsActive && live.RowsPerSecond is { } rate)
        {
            text.Append(CultureInfo.InvariantCulture, $" · {rate:N0} rows/s");
        }

        if (live.IsActive && live.Remaining is { } left)
        {
            text.Append(" · ").Append(Html.Span(left)).Append(" left");
        }

        return text.ToString();
    }

    private static string Polyline(List<ResourceSample> points, Func<ResourceSample, double?> value, double? max)
    {
        if (points.Count == 0)
        {
            return string.Empty;
        }

        var first = points[0].At;
        var span = Math.Max(1, (points[^1].At - first).TotalMilliseconds);
        var top = max ?? Math.Max(1, points.Max(p => value(p)!.Value) * 1.1);
        var text = new StringBuilder();
        foreach (var point in points)
        {
            var x = (point.At - first).TotalMilliseconds / span * Width;
            var y = Height - (Math.Clamp(value(point)!.Value / top, 0, 1) * Height);
            text.Append(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#} ");
        }

        return text.ToString().TrimEnd();
    }

    private static string Bytes(double bytes) => bytes >= 1 << 30 ? $"{bytes / (1 << 30):0.0} GiB" : $"{bytes / (1 << 20):0} MiB";
}
