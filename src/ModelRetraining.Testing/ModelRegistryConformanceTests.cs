using System.Text;
using Xunit;

namespace ModelRetraining.Testing;

/// <summary>
/// The behaviour every <see cref="IModelRegistry"/> must show. A backend's test class derives from this
/// suite and says how to create a registry and how to damage an artifact; every test then runs against it.
/// </summary>
public abstract class ModelRegistryConformanceTests
{
    /// <summary>Creates a new, empty registry for one test.</summary>
    /// <returns>The registry.</returns>
    protected abstract IModelRegistry CreateRegistry();

    /// <summary>Changes the stored bytes of a version's artifact behind the registry's back.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="version">The version whose artifact to damage.</param>
    /// <returns>A task that completes when the bytes are changed.</returns>
    protected abstract ValueTask CorruptArtifactAsync(IModelRegistry registry, ModelVersion version);

    /// <summary>Registers a version with a distinct artifact.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="model">The model.</param>
    /// <param name="content">The artifact text.</param>
    /// <returns>The version.</returns>
    protected static ValueTask<ModelVersion> RegisterAsync(IModelRegistry registry, string model = "churn", string? content = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.RegisterVersionAsync(new NewModelVersion(model, new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes(content ?? Guid.NewGuid().ToString())), "tester"));
    }

    /// <summary>Versions are numbered 1, 2, 3 per model, independently across models.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RegisterVersion_Repeatedly_NumbersMonotonicallyPerModel()
    {
        var registry = CreateRegistry();
        Assert.Equal(1, (await RegisterAsync(registry)).Version);
        Assert.Equal(2, (await RegisterAsync(registry)).Version);
        Assert.Equal(1, (await RegisterAsync(registry, "other")).Version);
        Assert.Equal(3, (await RegisterAsync(registry)).Version);
    }

    /// <summary>Everything given at registration comes back on read.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RegisterVersion_WithLineage_ReadsBackEverything()
    {
        var registry = CreateRegistry();
        var parent = await RegisterAsync(registry);
        var registered = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("mlnet", "model.zip", new byte[] { 1, 2, 3 }), "alice")
        {
            ParentVersion = parent.Version,
            RunId = "run-1",
            Description = "retrained",
            Metrics = new Dictionary<string, MetricValue> { ["AUC"] = new("AUC", 0.71, MetricDirection.HigherIsBetter), ["LogLoss"] = new("LogLoss", 0.4, MetricDirection.LowerIsBetter) },
            Parameters = new Dictionary<string, string> { ["seed"] = "1" },
            Datasets = [new DatasetReference("training", "train.csv", "sha256:abc", 10), new DatasetReference("holdout", "june.csv", "sha256:def", 5)],
            Tags = new Dictionary<string, string> { ["decision"] = "approved" },
            Decision = "{\"Outcome\":\"Approved\"}",
        });

        var read = await registry.GetVersionAsync("churn", registered.Version);
        Assert.NotNull(read);
        Assert.Equal(2, read.Version);
        Assert.Equal(parent.Version, read.ParentVersion);
        Assert.Equal("run-1", read.RunId);
        Assert.Equal("retrained", read.Description);
        Assert.Equal("alice", read.CreatedBy);
        Assert.Equal("mlnet", read.Flavor);
        Assert.Equal("model.zip", read.ArtifactFileName);
        Assert.Equal(3, read.Artifact.Length);
        Assert.Equal(0.71, read.Metrics["AUC"].Value, 12);
        Assert.Equal(MetricDirection.LowerIsBetter, read.Metrics["LogLoss"].Direction);
        Assert.Equal("1", read.Parameters["seed"]);
        Assert.Equal(2, read.Datasets.Count);
        Assert.Contains(read.Datasets, d => d.Role == "holdout" && d.Fingerprint == "sha256:def" && d.Rows == 5);
        Assert.Equal("approved", read.Tags["decision"]);
        Assert.Equal("{\"Outcome\":\"Approved\"}", read.Decision);
        Assert.Null(await registry.GetVersionAsync("churn", 99));
    }

    /// <summary>Attachments are stored with the version and read back verified.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RegisterVersion_WithAttachments_ReadsThemBackByName()
    {
        var registry = CreateRegistry();
        var version = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", new byte[] { 1 }), "tester")
        {
            Attachments = new Dictionary<string, ModelArtifact>
            {
                ["profile.json"] = new("profile", "profile.json", Encoding.UTF8.GetBytes("{\"rows\":3}")),
                ["model.onnx"] = new("onnx", "model.onnx", new byte[] { 7, 8 }),
            },
        });
        var read = await registry.GetVersionAsync("churn", version.Version);
        Assert.Equal(["model.onnx", "profile.json"], read!.Attachments.Select(a => a.Name).Order(StringComparer.Ordinal));
        var profile = await registry.ReadAttachmentAsync(read, "profile.json");
        Assert.Equal("profile", profile.Flavor);
        Assert.Equal("{\"rows\":3}", Encoding.UTF8.GetString(profile.Content.Span));
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await registry.ReadAttachmentAsync(read, "schema.json"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "m", new byte[] { 1 }), "tester")
        {
            Attachments = new Dictionary<string, ModelArtifact> { ["../evil"] = new("x", "x", new byte[] { 1 }) },
        }));
    }

    /// <summary>Versions list oldest first.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ListVersions_AfterThreeRegistrations_ListsThemInOrder()
    {
        var registry = CreateRegistry();
        for (var i = 0; i < 3; i++)
        {
            await RegisterAsync(registry);
        }

        var versions = await ToListAsync(registry.ListVersionsAsync("churn"));
        Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
        Assert.Empty(await ToListAsync(registry.ListVersionsAsync("unknown")));
    }

    /// <summary>The bytes read are the bytes written.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ReadArtifact_AfterRegistration_ReturnsTheSameBytes()
    {
        var registry = CreateRegistry();
        var version = await RegisterAsync(registry, content: "the model");
        var artifact = await registry.ReadArtifactAsync(version);
        Assert.Equal("the model", Encoding.UTF8.GetString(artifact.Content.Span));
        Assert.Equal("test", artifact.Flavor);
    }

    /// <summary>Changed bytes are caught on read, naming the hash.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ReadArtifact_BytesChangedOnDisk_ThrowsIntegrityException()
    {
        var registry = CreateRegistry();
        var version = await RegisterAsync(registry, content: "the model");
        await CorruptArtifactAsync(registry, version);
        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await registry.ReadArtifactAsync(version));
        Assert.Contains(version.Artifact.Sha256, error.Message, StringComparison.Ordinal);
    }

    /// <summary>An alias set for the first time expects no current version, and records history and audit.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task SetAlias_FirstTime_PointsAliasAndRecordsHistoryAndAudit()
    {
        var registry = CreateRegistry();
        var v1 = await RegisterAsync(registry);
        var entry = await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first model"));
        Assert.Null(entry.FromVersion);
        Assert.Equal(1, entry.ToVersion);
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        var history = await ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion));
        var only = Assert.Single(history);
        Assert.Equal("alice", only.Actor);
        Assert.Equal("first model", only.Reason);
        var audit = await ToListAsync(registry.GetAuditEventsAsync("churn"));
        Assert.Contains(audit, a => a.Action == "alias.moved" && a.Subject == ModelAliases.Champion && a.To == "v1" && a.From is null && a.Actor == "alice" && a.Reason == "first model");
        Assert.Contains(audit, a => a.Action == "version.registered" && a.Subject == "v1");
        Assert.Null(await registry.GetAliasAsync("churn", "staging"));
    }

    /// <summary>A move that names the wrong current version fails and changes nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task SetAlias_WrongExpectedVersion_ThrowsConflictAndChangesNothing()
    {
        var registry = CreateRegistry();
        var v1 = await RegisterAsync(registry);
        var v2 = await RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));
        var conflict = await Assert.ThrowsAsync<AliasConflictException>(async () =>
            await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v2.Version, null, "bob", "stale")));
        Assert.Equal(1, conflict.ActualVersion);
        Assert.Null(conflict.ExpectedVersion);
        Assert.Contains("champion", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        Assert.Single(await ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion)));
    }

    /// <summary>An alias cannot point at a version that does not exist.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task SetAlias_UnknownVersion_ThrowsAndChangesNothing()
    {
        var registry = CreateRegistry();
        await RegisterAsync(registry);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 7, null, "alice", "typo")));
        Assert.Null(await registry.GetAliasAsync("churn", ModelAliases.Champion));
        Assert.Empty(await ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion)));
    }

    /// <summary>Of many racing promotions from the same expected version, exactly one wins.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task SetAlias_ManyConcurrentPromotions_ExactlyOneWins()
    {
        var registry = CreateRegistry();
        var v1 = await RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "setup", "first"));
        var candidates = new List<ModelVersion>();
        for (var i = 0; i < 16; i++)
        {
            candidates.Add(await RegisterAsync(registry));
        }

        using var start = new ManualResetEventSlim();
        var attempts = candidates.Select(candidate => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, candidate.Version, v1.Version, $"runner-{candidate.Version}", "race"));
                return candidate.Version;
            }
            catch (AliasConflictException)
            {
                return 0;
            }
        })).ToArray();
        start.Set();
        var outcomes = await Task.WhenAll(attempts);

        var winner = Assert.Single(outcomes, o => o != 0);
        Assert.Equal(winner, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        var history = await ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion));
        Assert.Equal(2, history.Count);
        Assert.Equal(v1.Version, history[1].FromVersion);
        Assert.Equal(winner, history[1].ToVersion);
    }

    /// <summary>Concurrent registrations get distinct, gap-free numbers.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RegisterVersion_Concurrently_GivesDistinctGapFreeNumbers()
    {
        var registry = CreateRegistry();
        var versions = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(async () => (await RegisterAsync(registry)).Version)));
        Assert.Equal(Enumerable.Range(1, 12), versions.Order());
    }

    /// <summary>Rollback moves the champion back to the previous champion and records who and why.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Rollback_AfterPromotion_RestoresPreviousChampionWithReason()
    {
        var registry = CreateRegistry();
        var v1 = await RegisterAsync(registry);
        var v2 = await RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v2.Version, v1.Version, "alice", "better"));

        var entry = await registry.RollbackAsync(new RollbackRequest("churn", "oncall", "error rate up"));

        Assert.Equal(v2.Version, entry.FromVersion);
        Assert.Equal(v1.Version, entry.ToVersion);
        Assert.Equal(v1.Version, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        var history = await ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion));
        Assert.Equal([(int?)1, 2, 1], history.Select(h => h.ToVersion));
        Assert.Equal("error rate up", history[^1].Reason);
        Assert.Equal("oncall", history[^1].Actor);
        var audit = await ToListAsync(registry.GetAuditEventsAsync("churn"));
        Assert.Contains(audit, a => a.Action == "alias.rollback" && a.From == "v2" && a.To == "v1" && a.Actor == "oncall" && a.Reason == "error rate up");
    }

    /// <summary>A rollback with nothing to go back to fails and changes nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Rollback_WithoutPreviousChampion_ThrowsAndChangesNothing()
    {
        var registry = CreateRegistry();
        var v1 = await RegisterAsync(registry);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await registry.RollbackAsync(new RollbackRequest("churn", "oncall", "nothing yet")));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await registry.RollbackAsync(new RollbackRequest("churn", "oncall", "only one")));
        Assert.Contains("no earlier version", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    /// <summary>Tags can change after registration, with an audit event.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task SetTag_OnVersion_StoresAndAudits()
    {
        var registry = CreateRegistry();
        var v1 = await RegisterAsync(registry);
        await registry.SetTagAsync("churn", v1.Version, "reviewed", "yes", "carol");
        Assert.Equal("yes", (await registry.GetVersionAsync("churn", 1))?.Tags["reviewed"]);
        var audit = await ToListAsync(registry.GetAuditEventsAsync("churn"));
        Assert.Contains(audit, a => a.Action == "tag.set" && a.To == "yes" && a.Actor == "carol");
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await registry.SetTagAsync("churn", 9, "reviewed", "yes", "carol"));
    }

    /// <summary>Names with path characters are refused before anything is written.</summary>
    /// <param name="name">The bad name.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("with space")]
    public async Task RegisterVersion_NameWithPathCharacters_ThrowsNamingTheName(string name)
    {
        var registry = CreateRegistry();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await RegisterAsync(registry, name));
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.GetAliasAsync(name, ModelAliases.Champion));
    }

    /// <summary>The run journal keeps entries per run, in order.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Journal_AppendedEntries_ReadBackInOrderPerRun()
    {
        var registry = CreateRegistry();
        var at = DateTimeOffset.UnixEpoch;
        await registry.Journal.AppendAsync(new RunJournalEntry("r1", "churn", RetrainingStage.Ingesting, "completed", at) { InputsFingerprint = "sha256:a", Outputs = "{}" });
        await registry.Journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Ingesting, "completed", at));
        await registry.Journal.AppendAsync(new RunJournalEntry("r1", "churn", RetrainingStage.Training, "failed", at) { Duration = TimeSpan.FromSeconds(2) });
        var entries = await ToListAsync(registry.Journal.ReadRunAsync("r1"));
        Assert.Equal([RetrainingStage.Ingesting, RetrainingStage.Training], entries.Select(e => e.Stage));
        Assert.Equal("sha256:a", entries[0].InputsFingerprint);
        Assert.Equal("failed", entries[1].Status);
        Assert.Equal(2, entries[1].Duration.TotalSeconds, 3);
        Assert.True(entries[0].Sequence < entries[1].Sequence);
    }

    /// <summary>Runs are listed per model in the order they were first journaled.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Journal_ListRuns_PerModelOldestFirst()
    {
        var registry = CreateRegistry();
        var at = DateTimeOffset.UnixEpoch;
        await registry.Journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Queued, "started", at));
        await registry.Journal.AppendAsync(new RunJournalEntry("r1", "churn", RetrainingStage.Queued, "started", at));
        await registry.Journal.AppendAsync(new RunJournalEntry("x", "fraud", RetrainingStage.Queued, "started", at));
        await registry.Journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Ingesting, "completed", at));
        Assert.Equal(["r2", "r1"], await ToListAsync(registry.Journal.ListRunsAsync("churn")));
        Assert.Empty(await ToListAsync(registry.Journal.ListRunsAsync("nobody")));
    }

    /// <summary>Checkpoints are kept per run, replaced by name, and deleted with the run's.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Journal_Checkpoints_SaveReplaceReadDelete()
    {
        var registry = CreateRegistry();
        Assert.Null(await registry.Journal.ReadCheckpointAsync("r1", "candidate"));
        await registry.Journal.SaveCheckpointAsync("r1", "candidate", new byte[] { 1, 2, 3 });
        await registry.Journal.SaveCheckpointAsync("r1", "candidate", new byte[] { 4, 5 });
        await registry.Journal.SaveCheckpointAsync("r2", "candidate", new byte[] { 9 });
        Assert.Equal(new byte[] { 4, 5 }, await registry.Journal.ReadCheckpointAsync("r1", "candidate"));
        await registry.Journal.DeleteCheckpointsAsync("r1");
        Assert.Null(await registry.Journal.ReadCheckpointAsync("r1", "candidate"));
        Assert.Equal(new byte[] { 9 }, await registry.Journal.ReadCheckpointAsync("r2", "candidate"));
    }

    /// <summary>Collects an async sequence.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The sequence.</param>
    /// <returns>The elements.</returns>
    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
