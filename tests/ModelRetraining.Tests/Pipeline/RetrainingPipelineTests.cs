using System.Diagnostics;
using System.Diagnostics.Metrics;
using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

public class RetrainingPipelineTests
{
    [Fact]
    public async Task RunAsync_FirstRunPassingGates_RegistersV1AndMakesItChampion()
    {
        var fixture = new PipelineFixture();
        var result = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { Actor = "alice", Reason = "first" });

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.Equal("churn", result.ModelName);
        Assert.True(result.Promoted);
        Assert.Equal(1, result.RegisteredVersion?.Version);
        Assert.Null(result.PreviousChampion);
        Assert.True(result.Decision?.NoBaseline);
        var champion = await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion);
        Assert.Equal(1, champion?.Version);
        Assert.Equal("alice", champion?.CreatedBy);
        Assert.Equal("approved", champion?.Tags["decision"]);
        Assert.Contains("\"Outcome\":\"Approved\"", champion?.Decision, StringComparison.Ordinal);
        Assert.Contains(champion!.Datasets, d => d.Role == "training" && d.Fingerprint == "sha256:train-100" && d.Rows == 100);
        Assert.Contains(champion.Datasets, d => d.Role == "holdout" && d.Fingerprint == "sha256:holdout-40");
        Assert.Equal(0.80, champion.Metrics["AUC"].Value);
    }

    [Fact]
    public async Task RunAsync_TwoDataSetsWithOneShortName_AreToldApart_AndTheLineageKeepsTheirFullLocations()
    {
        var fixture = new PipelineFixture();
        var training = new FakeDataSource("data.csv", (_, _) => TestData.Snapshot("data.csv", 100) with { Fingerprint = "sha256:t", Location = "/data/train/data.csv" });
        var holdout = new FakeDataSource("data.csv", (_, _) => TestData.Snapshot("data.csv", 40) with { Fingerprint = "sha256:h", Location = "/data/holdout/data.csv" });
        var result = await fixture.Builder().UseTrainingData(training).UseHoldoutData(holdout).Build().RunAsync();

        Assert.True(result.Promoted, result.ToString());
        Assert.Contains(result.Validation, r => r.DataSet == "data.csv (training)");
        Assert.Contains(result.Validation, r => r.DataSet == "data.csv (holdout)");
        var champion = await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion);
        Assert.Equal(["/data/train/data.csv", "/data/holdout/data.csv"], champion!.Datasets.Select(d => d.Name));
    }

    [Fact]
    public async Task RunAsync_Success_JournalsEveryStageWithFingerprints()
    {
        var fixture = new PipelineFixture();
        var result = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "run-42" });
        var journal = await fixture.JournalAsync("run-42");
        Assert.Equal(
            [RetrainingStage.Queued, RetrainingStage.Ingesting, RetrainingStage.Validating, RetrainingStage.Training, RetrainingStage.Evaluating, RetrainingStage.Gating, RetrainingStage.Registering, RetrainingStage.Promoting, RetrainingStage.Promoting],
            journal.Select(j => j.Stage));
        Assert.Equal(RunJournalStatus.Started, journal[0].Status);
        Assert.Contains("\"Actor\":\"tests\"", journal[0].Outputs, StringComparison.Ordinal);
        Assert.All(journal[1..^1], j => Assert.Equal(RunJournalStatus.Completed, j.Status));
        Assert.Equal(RunJournalStatus.Succeeded, journal[^1].Status);
        Assert.Contains("sha256:train-100", journal[1].InputsFingerprint, StringComparison.Ordinal);
        Assert.Contains("sha256:holdout-40", journal[1].InputsFingerprint, StringComparison.Ordinal);
        Assert.Contains("\"version\":1", journal[6].Outputs, StringComparison.Ordinal);
        Assert.Null(await fixture.Registry.GetService<IRunJournal>()!.ReadCheckpointAsync("run-42", "candidate"));
        Assert.Equal("run-42", result.RunId);
        Assert.Equal("run-42", (await fixture.Registry.GetVersionAsync("churn", 1))?.RunId);
    }

    [Fact]
    public async Task RunAsync_BetterCandidate_ReplacesTheChampionAndRecordsParent()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        var second = await fixture.Builder().Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Succeeded, second.Status);
        Assert.Equal(1, second.PreviousChampion?.Version);
        Assert.Equal(2, second.RegisteredVersion?.Version);
        Assert.Equal(1, second.RegisteredVersion?.ParentVersion);
        Assert.Equal(1, fixture.Evaluator.LastInput?.Champion?.Version.Version);
        Assert.Equal(2, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    [Fact]
    public async Task RunAsync_GateRejects_RegistersTheCandidateWithoutMovingTheChampion()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        fixture.Evaluator.CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.70, MetricDirection.HigherIsBetter));
        fixture.Evaluator.ChampionMetrics = FakeEvaluator.Metrics(("AUC", 0.80, MetricDirection.HigherIsBetter));
        var result = await fixture.Builder().Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Equal(RetrainingStage.Gating, result.Stage);
        Assert.Contains(result.Reasons, r => r.Contains("against champion 0.8", StringComparison.Ordinal));
        Assert.Equal("rejected", result.RegisteredVersion?.Tags["decision"]);
        Assert.Equal(1, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    [Fact]
    public async Task RunAsync_GateRejectsAndRegistrationOfRejectsOff_LeavesTheRegistryUnchanged()
    {
        var fixture = new PipelineFixture();
        fixture.Evaluator.CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.5, MetricDirection.HigherIsBetter));
        var before = await fixture.StateAsync();
        var result = await fixture.Builder().Configure(o => o.RegisterRejectedCandidates = false).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Null(result.RegisteredVersion);
        Assert.Equal(before, await fixture.StateAsync());
    }

    [Fact]
    public async Task RunAsync_ValidationError_RejectsBeforeTrainingAndChangesNothing()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        var before = await fixture.StateAsync();
        fixture.Training.OnLoad = (_, _) => TestData.Snapshot("train", 100, observed: new DataSchema([new DataColumn("Label", DataColumnKind.Boolean)], "Label"));

        var result = await fixture.Builder().Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Equal(RetrainingStage.Validating, result.Stage);
        Assert.Contains(result.Reasons, r => r.Contains("Column 'X'", StringComparison.Ordinal) && r.Contains("missing", StringComparison.Ordinal));
        Assert.Equal(1, fixture.Trainer.Calls);
        Assert.Equal(before, await fixture.StateAsync());
    }

    [Fact]
    public async Task RunAsync_TrainerThrows_FailsNamingTheStageAndChangesNothing()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        var before = await fixture.StateAsync();
        fixture.Trainer.OnTrain = (_, _, _) => throw new InvalidOperationException("out of memory in the trainer");

        var result = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "failing" });

        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Equal(RetrainingStage.Training, result.Stage);
        Assert.IsType<InvalidOperationException>(result.Exception);
        Assert.Contains("Training failed: out of memory", result.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(before, await fixture.StateAsync());
        var journal = await fixture.JournalAsync("failing");
        Assert.Equal(RunJournalStatus.Failed, journal[^1].Status);
        Assert.Equal(RetrainingStage.Training, journal[^1].Stage);
        Assert.Throws<InvalidOperationException>(() => result.ThrowIfFailed());
    }

    [Fact]
    public async Task RunAsync_CancelledDuringTraining_EndsCancelledAndChangesNothing()
    {
        var fixture = new PipelineFixture();
        using var cancellation = new CancellationTokenSource();
        fixture.Trainer.OnTrain = (_, _, token) =>
        {
            cancellation.Cancel();
            token.ThrowIfCancellationRequested();
            throw new InvalidOperationException("unreachable");
        };
        var before = await fixture.StateAsync();

        var result = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "cancelled" }, cancellation.Token);

        Assert.Equal(RetrainingRunStatus.Cancelled, result.Status);
        Assert.Equal(RetrainingStage.Training, result.Stage);
        Assert.Equal(before, await fixture.StateAsync());
        Assert.Equal(RunJournalStatus.Cancelled, (await fixture.JournalAsync("cancelled"))[^1].Status);
        Assert.ThrowsAny<OperationCanceledException>(() => result.ThrowIfFailed());
    }

    [Fact]
    public async Task RunAsync_ChampionMovedDuringTheRun_LosesTheRaceWithAClearConflict()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        var intruder = await fixture.Registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("fake", "m", new byte[] { 7 }), "bob"));
        fixture.Trainer.OnTrain = (data, context, _) =>
        {
            // Another process promotes while this run trains.
            fixture.Registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, intruder.Version, 1, "bob", "hotfix"), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            return new TrainedModel(new ModelArtifact("fake", "m", new byte[] { 8 }), data.Fingerprint, TimeSpan.Zero);
        };

        var result = await fixture.Builder().Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("points at v2, not at the expected v1", StringComparison.Ordinal));
        Assert.Equal(intruder.Version, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    [Fact]
    public async Task RunAsync_FirstRunRequiringApproval_RegistersAndWaitsWithoutPromoting()
    {
        var fixture = new PipelineFixture();
        var result = await fixture.Builder(g => g.Metric("AUC").AtLeast(0.7).OnFirstRun(FirstRunPolicy.RequireApproval)).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.AwaitingApproval, result.Status);
        Assert.Equal("pending-approval", result.RegisteredVersion?.Tags["decision"]);
        Assert.Null(await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion));
    }

    [Fact]
    public async Task RunAsync_DataSourceThrows_FailsAtIngesting()
    {
        var fixture = new PipelineFixture();
        fixture.Holdout.OnLoad = (_, _) => throw new FileNotFoundException("Data file 'june.csv' does not exist.");
        var result = await fixture.Builder().Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Equal(RetrainingStage.Ingesting, result.Stage);
        Assert.Contains("june.csv", result.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(0, fixture.Trainer.Calls);
    }

    [Fact]
    public async Task RunAsync_CorruptChampionArtifact_FailsAtEvaluatingAndKeepsTheChampion()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        var champion = await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion);
        fixture.Registry.TamperWithArtifact(champion!.Artifact, [1, 2, 3]);
        var before = await fixture.StateAsync();

        var result = await fixture.Builder().Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Equal(RetrainingStage.Evaluating, result.Stage);
        Assert.IsType<ArtifactIntegrityException>(result.Exception);
        Assert.Equal(before, await fixture.StateAsync());
    }

    [Fact]
    public async Task RunAsync_ReportsProgressForEveryStage()
    {
        var fixture = new PipelineFixture();
        var reports = new List<RetrainingProgress>();
        await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { Progress = new SynchronousProgress(reports.Add) });
        Assert.Contains(reports, r => r.Stage == RetrainingStage.Training && r.Fraction == 0);
        Assert.Contains(reports, r => r.Stage == RetrainingStage.Promoting && r.Fraction == 1);
    }

    [Fact]
    public async Task RunAsync_EmitsASpanPerStageAndARunMetric()
    {
        var fixture = new PipelineFixture();
        var spans = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RetrainingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Equals(a.GetTagItem("modelretraining.run_id"), "traced"))
                {
                    lock (spans)
                    {
                        spans.Add(a.OperationName);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var runs = new List<string>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RetrainingTelemetry.Name && instrument.Name == "modelretraining.runs")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "status")
                {
                    lock (runs)
                    {
                        runs.Add((string)tag.Value!);
                    }
                }
            }
        });
        meters.Start();

        await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "traced" });

        Assert.Contains("ModelRetraining.Run", spans);
        foreach (var stage in new[] { "Ingesting", "Validating", "Training", "Evaluating", "Gating", "Registering", "Promoting" })
        {
            Assert.Contains($"ModelRetraining.{stage}", spans);
        }

        Assert.Contains("Succeeded", runs);
    }

    [Fact]
    public async Task RunAsync_NewDataDriftedFromTheChampionsProfile_AlertsAndStillTrains()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        var champion = await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion);
        Assert.Contains(champion!.Attachments, a => a.Name == "profile.json");

        // New training data whose X sits far above the champion's.
        fixture.Training.OnLoad = (_, _) =>
        {
            var snapshot = TestData.Snapshot("train", 100);
            var shifted = new Microsoft.ML.MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(i => new TestData.Row { X = 1_000 + i, Label = i % 2 == 0 }).ToArray());
            return snapshot with { Data = shifted, Fingerprint = "sha256:shifted" };
        };
        var alerts = new List<DriftAlert>();
        var reports = TestData.TempFolder();
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);
        var driftedColumns = new List<string>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RetrainingTelemetry.Name && instrument.Name == "modelretraining.drift.columns")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "column")
                {
                    lock (driftedColumns)
                    {
                        driftedColumns.Add((string)tag.Value!);
                    }
                }
            }
        });
        meters.Start();
        var builder = fixture.Builder();
        builder.LoggerFactory = loggerFactory;
        var result = await builder.AddDriftDetection(o =>
        {
            o.OnDrift = alerts.Add;
            o.ReportFolder = reports;
        }).Build().RunAsync(new RetrainingRunOptions { RunId = "drifting" });

        // The alert also goes out as a warning log entry (event 9) and a metric.
        Assert.Contains(logs.Entries, e => e.EventId == 9 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("column X of train drifted", StringComparison.Ordinal));
        Assert.Contains("X", driftedColumns);

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        var alert = Assert.Single(alerts, a => a.DataSet == "train");
        Assert.Equal("drifting", alert.RunId);
        Assert.True(alert.Report.Columns.Single(c => c.Column == "X").Drifted);
        var drift = result.Validation.Single(r => r.Validator == "drift" && r.DataSet == "train");
        Assert.Contains(drift.Issues, i => i.Rule == "drift.column" && i.Column == "X" && i.Severity == ValidationSeverity.Warning);
        Assert.Contains(drift.Issues, i => i.Rule == "drift.dataset");
        Assert.All(drift.ReportFiles, f => Assert.True(File.Exists(f)));
        Assert.Contains(Path.Combine(reports, "drifting"), drift.ReportFiles[0], StringComparison.Ordinal);

        // Each file says which data set it is about; the reports travel with the version, named by role.
        Assert.All(drift.ReportFiles, f => Assert.StartsWith("drift-train-", Path.GetFileName(f), StringComparison.Ordinal));
        var version = result.RegisteredVersion!;
        Assert.Equal(["drift-holdout.html", "drift-holdout.json", "drift-training.html", "drift-training.json"], version.Attachments.Select(a => a.Name).Where(n => n.StartsWith("drift-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var stored = await fixture.Registry.ReadAttachmentAsync(version, "drift-training.json");
        Assert.Equal(await File.ReadAllBytesAsync(drift.ReportFiles.Single(f => f.EndsWith(".json", StringComparison.Ordinal))), stored.Content.ToArray());
    }

    [Fact]
    public async Task RunAsync_DatasetDriftAsError_RejectsBeforeTraining()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        fixture.Training.OnLoad = (_, _) => TestData.Snapshot("train", 100) with
        {
            Data = new Microsoft.ML.MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(i => new TestData.Row { X = -5_000 - i, Label = i % 2 == 0 }).ToArray()),
            Fingerprint = "sha256:far",
        };
        var result = await fixture.Builder().AddDriftDetection(o => o.DatasetDriftSeverity = ValidationSeverity.Error).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Equal(RetrainingStage.Validating, result.Stage);
        Assert.Equal(1, fixture.Trainer.Calls);
    }

    private sealed class SynchronousProgress(Action<RetrainingProgress> report) : IProgress<RetrainingProgress>
    {
        public void Report(RetrainingProgress value) => report(value);
    }
}
