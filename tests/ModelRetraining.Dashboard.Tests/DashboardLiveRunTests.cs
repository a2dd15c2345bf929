using System.Net;
using System.Text.Json;

namespace ModelRetraining.Dashboard.Tests;

/// <summary>A run's live view over plain HTTP: the page, the stream of frames, the anomalies, and the refusals.</summary>
public sealed class DashboardLiveRunTests(DashboardHost host) : IClassFixture<DashboardHost>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private HttpClient Client() => new() { BaseAddress = host.Root };

    [Fact]
    public async Task ARunningRun_ShowsItsProgressAndResources_AndTheStreamSendsFramesUntilItEnds()
    {
        var held = host.StartHeldRun("live-http", "<b>held</b> by the test");
        try
        {
            await WaitForAsync(() => host.Monitor.Find("live-http") is { Stage: RetrainingStage.Training, Samples.Count: > 0 });
            using var client = Client();

            var page = await client.GetStringAsync(new Uri("models/flights-live/runs/live-http", UriKind.Relative));
            Assert.Contains("id=\"live-progress\"", page, StringComparison.Ordinal);
            Assert.Contains("Training · 1 %", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
            Assert.Contains("&lt;b&gt;held&lt;/b&gt; by the test", page, StringComparison.Ordinal); // a stage's message is data
            Assert.Contains("id=\"chart-cpu\"", page, StringComparison.Ordinal);
            Assert.Contains("id=\"chart-gpu\" hidden", page, StringComparison.Ordinal);               // no GPU here: no chart, not zero
            Assert.Matches("data-points=\"[1-9][0-9]*\"", page);
            Assert.Contains("info Run live-http of model flights-live started by alice", WebUtility.HtmlDecode(page), StringComparison.Ordinal); // the log tail
            var table = await client.GetStringAsync(new Uri("models/flights-live", UriKind.Relative));
            Assert.Contains("Training · 1 %", WebUtility.HtmlDecode(table), StringComparison.Ordinal);                        // the runs table's progress column

            using var stream = await client.GetAsync(new Uri("models/flights-live/runs/live-http/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
            var first = await NextFrameAsync(reader);
            Assert.True(first.GetProperty("reset").GetBoolean());
            Assert.True(first.GetProperty("active").GetBoolean());
            Assert.Equal("Training", first.GetProperty("stage").GetString());
            Assert.True(first.GetProperty("samples").GetArrayLength() > 0);
            Assert.Equal(JsonValueKind.Null, first.GetProperty("samples")[0].GetProperty("gpu").ValueKind);
            Assert.Contains(first.GetProperty("log").EnumerateArray(), l => l.GetString()!.Contains("started by alice", StringComparison.Ordinal));
            Assert.Contains("\\u003Cb\\u003Eheld", first.GetRawText(), StringComparison.Ordinal); // escaped in the frame too

            // Later frames carry only the samples taken since.
            var second = await NextFrameAsync(reader);
            Assert.False(second.GetProperty("reset").GetBoolean());
            Assert.InRange(second.GetProperty("samples").GetArrayLength(), 0, 3);

            held.Release();
            Assert.Equal(RetrainingRunStatus.Succeeded, (await held.Result).Status);
            JsonElement last;
            do
            {
                last = await NextFrameAsync(reader);
            }
            while (last.GetProperty("active").GetBoolean());

            Assert.Equal(100, last.GetProperty("percent").GetDouble());
            Assert.Equal("Succeeded", last.GetProperty("outcome").GetString());
            var rest = await reader.ReadToEndAsync().WaitAsync(Patience); // the stream ends with the run
            Assert.DoesNotContain("data:", rest, StringComparison.Ordinal);
        }
        finally
        {
            held.Release();
        }
    }

    [Theory]
    [InlineData("models/flights-live/runs/no-such-run/live")]
    [InlineData("models/flight-delays/runs/run-1/live")]   // a run this process did not follow
    public async Task TheStreamOfARunNotFollowedHere_Is404(string path)
    {
        using var client = Client();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task ARunOfAnotherProcess_SaysItIsNotFollowedHere()
    {
        using var client = Client();
        var page = await client.GetStringAsync(new Uri("models/flight-delays/runs/run-1", UriKind.Relative));
        Assert.Contains("ran on another node, or before this process started", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"live-progress\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunWhoseHeartbeatStopped_ShowsAsCrashed_WithTheAnomaly()
    {
        var journal = host.Registry.GetService<IRunJournal>()!;
        var silentSince = DateTimeOffset.UtcNow.AddMinutes(-10);
        await journal.AppendAsync(new RunJournalEntry("solo-crashed", "solo", RetrainingStage.Queued, RunJournalStatus.Started, silentSince.AddSeconds(-5)));
        await journal.ClaimRunAsync(new RunClaim("solo-crashed", "solo", 1, "node-gone", silentSince));
        using var client = Client();

        var table = await client.GetStringAsync(new Uri("models/solo", UriKind.Relative));
        Assert.Contains("Crashed (no heartbeat)", table, StringComparison.Ordinal);
        Assert.Contains("(node-gone)", table, StringComparison.Ordinal);
        var page = await client.GetStringAsync(new Uri("models/solo/runs/solo-crashed", UriKind.Relative));
        Assert.Contains("HeartbeatStopped", page, StringComparison.Ordinal);
        Assert.Contains("node-gone", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRunsTable_SaysWhatStartedEachRun()
    {
        using var client = Client();
        var table = await client.GetStringAsync(new Uri("models/flight-delays", UriKind.Relative));
        Assert.Contains("<td class=\"trigger\">call by alice</td>", table, StringComparison.Ordinal); // started by code, with no trigger
    }

    [Fact]
    public async Task ARunWithoutAnomalies_SaysSo()
    {
        using var client = Client();
        var page = await client.GetStringAsync(new Uri("models/flight-delays/runs/run-1", UriKind.Relative));
        Assert.Contains("<p id=\"anomalies\" class=\"muted\">None:", page, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> NextFrameAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(Patience);
        string? eventName = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            eventName = line.StartsWith("event: ", StringComparison.Ordinal) ? line[7..] : eventName;
            if (eventName == "progress" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line[6..]).RootElement.Clone();
            }
        }

        throw new EndOfStreamException("The stream ended before a progress frame.");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The held run did not reach training in time.");
            await Task.Delay(100);
        }
    }
}
