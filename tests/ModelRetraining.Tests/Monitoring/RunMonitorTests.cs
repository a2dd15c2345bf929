using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ModelRetraining.Tests.Monitoring;

public class RunMonitorTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task APipelineRun_IsFollowedLive_AndEndsDone()
    {
        using var monitor = new RunMonitor();
        var fixture = new PipelineFixture();
        LiveRun? whileTraining = null;
        var defaultTrain = fixture.Trainer.OnTrain;
        fixture.Trainer.OnTrain = (data, context, ct) =>
        {
            context.ReportProgress(RetrainingStage.Training, 0.5, "half way");
            whileTraining = monitor.Find(context.RunId);
            return defaultTrain(data, context, ct);
        };
        var reports = new List<RetrainingProgress>();
        var pipeline = fixture.Builder().UseRunMonitor(monitor).Build();

        var result = await pipeline.RunAsync(new RetrainingRunOptions { Progress = new SyncProgress(reports) });

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.NotNull(whileTraining);
        Assert.True(whileTraining.IsActive);
        Assert.Equal(RetrainingStage.Training, whileTraining.Stage);
        Assert.Equal(0.5, whileTraining.Fraction);
        Assert.Equal("half way", whileTraining.Message);
        Assert.Equal("churn", whileTraining.ModelName);

        var ended = monitor.Find(result.RunId);
        Assert.NotNull(ended);
        Assert.False(ended.IsActive);
        Assert.Equal(RetrainingRunStatus.Succeeded, ended.Outcome);
        Assert.Equal(1, ended.Fraction);
        Assert.Equal(TimeSpan.Zero, ended.Remaining);
        Assert.Contains(ended, monitor.Runs);
        Assert.Contains(reports, r => r.Message == "half way"); // the caller's own sink still hears every report
    }

    [Fact]
    public async Task AFailedRun_EndsWithItsOutcome_NotDone()
    {
        using var monitor = new RunMonitor();
        var fixture = new PipelineFixture();
        fixture.Trainer.OnTrain = (_, context, _) =>
        {
            context.ReportProgress(RetrainingStage.Training, 0.3, "about to break");
            throw new InvalidOperationException("the trainer broke");
        };

        var result = await fixture.Builder().UseRunMonitor(monitor).Build().RunAsync();

        var ended = monitor.Find(result.RunId)!;
        Assert.Equal(RetrainingRunStatus.Failed, ended.Outcome);
        Assert.Equal(RetrainingStage.Training, ended.Stage);
        Assert.Equal(0.3, ended.Fraction);
        Assert.Null(ended.Remaining);
    }

    [Fact]
    public async Task ARunsLogLines_AreKeptForItsPage_TheTrainersToo_UpToTheLimit()
    {
        using var monitor = new RunMonitor(options: new RunMonitorOptions { MaxLogLines = 50 });
        var fixture = new PipelineFixture();
        var defaultTrain = fixture.Trainer.OnTrain;
        var builder = fixture.Builder().UseRunMonitor(monitor).UseTrainer(build =>
        {
            // A part's own logger, its lines carrying no run id: they belong to the run executing where they are written.
            var logger = build.LoggerFactory.CreateLogger("custom.trainer");
            fixture.Trainer.OnTrain = (data, context, ct) =>
            {
                for (var i = 0; i < 60; i++)
                {
                    logger.LogInformation("fitting <b>tree</b> {Tree}", i);
                }

                logger.LogTrace("too fine to keep");
                return defaultTrain(data, context, ct);
            };
            return fixture.Trainer;
        });

        var result = await builder.Build().RunAsync();

        var lines = monitor.Find(result.RunId)!.LogLines;
        Assert.Equal(50, lines.Count);
        Assert.Equal(lines.Select(l => l.Sequence), lines.Select(l => l.Sequence).Order());
        Assert.Contains(lines, l => l.Category == "custom.trainer" && l.Message == "fitting <b>tree</b> 59");
        Assert.Contains(lines, l => l.Message.Contains("completed", StringComparison.Ordinal) && l.Message.Contains(result.RunId, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Message == "too fine to keep");
        Assert.DoesNotContain(lines, l => l.Message.EndsWith(" 0", StringComparison.Ordinal) && l.Category == "custom.trainer"); // the oldest were dropped
    }

    [Fact]
    public void Samples_ArrivePerInterval_WithTheGpuWhereOneIsRead_AndStopWhenTheRunEnds()
    {
        var time = new FakeTimeProvider(Start);
        var gpu = new FakeGpu { Reading = new GpuReading(42, 3L << 30, 16L << 30) };
        using var monitor = new RunMonitor(time, gpu);
        var tracker = monitor.Track("r1", "flights", 1);

        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var samples = monitor.Find("r1")!.Samples;
        Assert.InRange(samples.Count, 5, 6); // one at the start, one per second
        Assert.All(samples, s => Assert.Equal(42, s.Gpu!.UtilizationPercent));
        Assert.All(samples, s => Assert.True(s.WorkingSetBytes > 0 && s.GcHeapBytes > 0));
        Assert.All(samples, s => Assert.InRange(s.CpuPercent, 0, 100));
        Assert.Equal(samples.Select(s => s.At), samples.Select(s => s.At).Order());

        tracker.End(RetrainingRunStatus.Succeeded);
        var reads = gpu.Reads;
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(samples.Count, monitor.Find("r1")!.Samples.Count);
        Assert.Equal(reads, gpu.Reads); // nothing is sampled while no run is active
    }

    [Fact]
    public void WithoutAGpu_SamplesHaveNone_AbsentNotZero()
    {
        var time = new FakeTimeProvider(Start);
        using var monitor = new RunMonitor(time, new FakeGpu());
        using var tracker = monitor.Track("r1", "flights", 1);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.NotEmpty(monitor.Find("r1")!.Samples);
        Assert.All(monitor.Find("r1")!.Samples, s => Assert.Null(s.Gpu));
    }

    [Fact]
    public void Samples_KeepTheLatestOnly_AndRecordTheStage()
    {
        var time = new FakeTimeProvider(Start);
        using var monitor = new RunMonitor(time, options: new RunMonitorOptions { MaxSamples = 3 });
        using var tracker = monitor.Track("r1", "flights", 1);
        tracker.Report(new RetrainingProgress(RetrainingStage.Training, 0.1, "fitting"));
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var samples = monitor.Find("r1")!.Samples;
        Assert.Equal(3, samples.Count);
        Assert.Equal(Start.AddSeconds(10), samples[^1].At);
        Assert.All(samples, s => Assert.Equal(RetrainingStage.Training, s.Stage));
    }

    [Fact]
    public void Progress_GivesRowsPerSecondAndTimeLeft_FromTheStagesPace()
    {
        var time = new FakeTimeProvider(Start);
        using var monitor = new RunMonitor(time);
        using var tracker = monitor.Track("r1", "flights", 1);
        tracker.Report(new RetrainingProgress(RetrainingStage.Ingesting, 0, "reading"));
        time.Advance(TimeSpan.FromSeconds(2));
        tracker.Report(new RetrainingProgress(RetrainingStage.Ingesting, 0.25, "train.csv: 1,000 rows") { Rows = 1_000, Source = "train.csv" });

        var run = monitor.Find("r1")!;
        Assert.Equal(0.25, run.Fraction);
        Assert.Equal(1_000, run.Rows);
        Assert.Equal(500, run.RowsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(6), run.Remaining);

        // Two files read at once: the stage is as far as their mean, its rows their sum.
        tracker.Report(new RetrainingProgress(RetrainingStage.Ingesting, 0.75, "holdout.csv: 3,000 rows") { Rows = 3_000, Source = "holdout.csv" });
        run = monitor.Find("r1")!;
        Assert.Equal(0.5, run.Fraction);
        Assert.Equal(4_000, run.Rows);
        Assert.Equal(2_000, run.RowsPerSecond);

        // A new stage starts from nothing.
        time.Advance(TimeSpan.FromSeconds(1));
        tracker.Report(new RetrainingProgress(RetrainingStage.Validating, null, "checking"));
        run = monitor.Find("r1")!;
        Assert.Equal(RetrainingStage.Validating, run.Stage);
        Assert.Null(run.Fraction);
        Assert.Null(run.Rows);
        Assert.Null(run.Remaining);
        Assert.Equal(Start.AddSeconds(3), run.StageStartedAt);
    }

    [Fact]
    public void Revision_GrowsWithEveryChange()
    {
        var time = new FakeTimeProvider(Start);
        using var monitor = new RunMonitor(time);
        var before = monitor.Revision;
        using var tracker = monitor.Track("r1", "flights", 1);
        var tracked = monitor.Revision;
        tracker.Report(new RetrainingProgress(RetrainingStage.Training, 0.2, "fitting"));

        Assert.True(tracked > before);
        Assert.True(monitor.Revision > tracked);
        Assert.True(monitor.Find("r1")!.Revision > tracked - 1);
    }

    [Fact]
    public void EndedRuns_AreKeptUpToTheLimit_LatestFirst()
    {
        using var monitor = new RunMonitor(new FakeTimeProvider(Start), options: new RunMonitorOptions { KeepEnded = 2 });
        foreach (var id in new[] { "a", "b", "c" })
        {
            monitor.Track(id, "flights", 1).End(RetrainingRunStatus.Succeeded);
        }

        using var active = monitor.Track("d", "flights", 1);

        Assert.Equal(["d", "c", "b"], monitor.Runs.Select(r => r.RunId));
        Assert.Null(monitor.Find("a"));
    }

    [Fact]
    public void ARunDisposedWithoutAnOutcome_EndsWithNone()
    {
        using var monitor = new RunMonitor(new FakeTimeProvider(Start));
        monitor.Track("r1", "flights", 1).Dispose();

        var run = monitor.Find("r1")!;
        Assert.False(run.IsActive);
        Assert.Null(run.Outcome);
    }

    [Fact]
    public void AProbeThatThrows_CostsThatSampleItsGpu_NotTheProcess()
    {
        var time = new FakeTimeProvider(Start);
        using var monitor = new RunMonitor(time, new ThrowingGpu());
        using var tracker = monitor.Track("r1", "flights", 1);
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.InRange(monitor.Find("r1")!.Samples.Count, 3, 4);
        Assert.All(monitor.Find("r1")!.Samples, s => Assert.Null(s.Gpu));
    }

    [Fact]
    public void AFractionThatIsNotANumber_SaysNothing()
    {
        using var monitor = new RunMonitor(new FakeTimeProvider(Start));
        using var tracker = monitor.Track("r1", "flights", 1);
        tracker.Report(new RetrainingProgress(RetrainingStage.Training, 0.4, "fitting"));
        tracker.Report(new RetrainingProgress(RetrainingStage.Training, double.NaN, "odd"));

        Assert.Equal(0.4, monitor.Find("r1")!.Fraction);
    }

    [Fact]
    public void OptionsChangedAfterTheMonitorWasMade_DoNotReachIt()
    {
        var options = new RunMonitorOptions { MaxSamples = 5 };
        var time = new FakeTimeProvider(Start);
        using var monitor = new RunMonitor(time, options: options);
        options.MaxSamples = 0; // would break the sample buffer if the monitor read it
        using var tracker = monitor.Track("r1", "flights", 1);
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(5, monitor.Find("r1")!.Samples.Count);
    }

    [Fact]
    public void BadOptions_AreRefusedNamingEachSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RunMonitor(options: new RunMonitorOptions { SampleInterval = TimeSpan.FromMilliseconds(10), MaxSamples = 0, KeepEnded = -1 }));
        Assert.Contains("SampleInterval", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSamples", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeepEnded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NvidiaSmi_OutputIsRead_PerDevice_SkippingDevicesWithoutFigures()
    {
        var reading = NvidiaSmiGpuProbe.Parse("30, 1024, 16384\n50, 2048, 16384\n[N/A], [N/A], 16384\n");

        Assert.NotNull(reading);
        Assert.Equal(40, reading.UtilizationPercent);
        Assert.Equal(3072L << 20, reading.MemoryUsedBytes);
        Assert.Equal(32768L << 20, reading.MemoryTotalBytes);
        Assert.Null(NvidiaSmiGpuProbe.Parse("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."));
    }

    [Fact]
    public void NvidiaSmi_MissingTool_MeansNoGpu_AndIsNotAskedAgain()
    {
        var probe = new NvidiaSmiGpuProbe(Path.Combine(Path.GetTempPath(), $"no-such-tool-{Guid.NewGuid():N}"));

        Assert.Null(probe.Read());
        Assert.Null(probe.Read());
    }

    private sealed class ThrowingGpu : IGpuProbe
    {
        public GpuReading? Read() => throw new InvalidOperationException("the host's probe broke");
    }

    private sealed class FakeGpu : IGpuProbe
    {
        public GpuReading? Reading { get; set; }

        public int Reads { get; private set; }

        public GpuReading? Read()
        {
            Reads++;
            return Reading;
        }
    }

    private sealed class SyncProgress(List<RetrainingProgress> reports) : IProgress<RetrainingProgress>
    {
        public void Report(RetrainingProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
