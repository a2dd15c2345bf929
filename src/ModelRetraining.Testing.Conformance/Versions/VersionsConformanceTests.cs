using System.Text;
using Xunit;

namespace ModelRetraining.Testing.Conformance;

/// <summary>Registering and reading versions: numbering, lineage, attachments, listings, artifact integrity, tags, names. Derive with a parameterless constructor that passes your backend's <see cref="RegistryFixture"/>; every test is virtual, so a backend can override one (to explain a difference, say).</summary>
/// <param name="fixture">Creates the backend under test.</param>
public abstract class VersionsConformanceTests(RegistryFixture fixture)
{
    /// <summary>Gets the fixture that creates the backend under test.</summary>
    protected RegistryFixture Fixture { get; } = fixture ?? throw new ArgumentNullException(nameof(fixture));

    /// <summary>Versions are numbered 1, 2, 3 per model, independently across models.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task RegisterVersion_Repeatedly_NumbersMonotonicallyPerModel()
    {
        var registry = Fixture.CreateRegistry();
        Assert.Equal(1, (await ConformanceData.RegisterAsync(registry)).Version);
        Assert.Equal(2, (await ConformanceData.RegisterAsync(registry)).Version);
        Assert.Equal(1, (await ConformanceData.RegisterAsync(registry, "other")).Version);
        Assert.Equal(3, (await ConformanceData.RegisterAsync(registry)).Version);
    }

    /// <summary>Everything given at registration comes back on read.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task RegisterVersion_WithLineage_ReadsBackEverything()
    {
        var registry = Fixture.CreateRegistry();
        var parent = await ConformanceData.RegisterAsync(registry);
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
    public virtual async Task RegisterVersion_WithAttachments_ReadsThemBackByName()
    {
        var registry = Fixture.CreateRegistry();
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
    public virtual async Task ListVersions_AfterThreeRegistrations_ListsThemInOrder()
    {
        var registry = Fixture.CreateRegistry();
        for (var i = 0; i < 3; i++)
        {
            await ConformanceData.RegisterAsync(registry);
        }

        var versions = await ConformanceData.ToListAsync(registry.ListVersionsAsync("churn"));
        Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
        Assert.Empty(await ConformanceData.ToListAsync(registry.ListVersionsAsync("unknown")));
    }

    /// <summary>The bytes read are the bytes written.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ReadArtifact_AfterRegistration_ReturnsTheSameBytes()
    {
        var registry = Fixture.CreateRegistry();
        var version = await ConformanceData.RegisterAsync(registry, content: "the model");
        var artifact = await registry.ReadArtifactAsync(version);
        Assert.Equal("the model", Encoding.UTF8.GetString(artifact.Content.Span));
        Assert.Equal("test", artifact.Flavor);
    }

    /// <summary>Changed bytes are caught on read, naming the hash.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ReadArtifact_BytesChangedOnDisk_ThrowsIntegrityException()
    {
        var registry = Fixture.CreateRegistry();
        var version = await ConformanceData.RegisterAsync(registry, content: "the model");
        await Fixture.CorruptArtifactAsync(registry, version);
        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await registry.ReadArtifactAsync(version));
        Assert.Contains(version.Artifact.Sha256, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Concurrent registrations get distinct, gap-free numbers.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task RegisterVersion_Concurrently_GivesDistinctGapFreeNumbers()
    {
        var registry = Fixture.CreateRegistry();
        var versions = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(async () => (await ConformanceData.RegisterAsync(registry)).Version)));
        Assert.Equal(Enumerable.Range(1, 12), versions.Order());
    }

    /// <summary>Tags can change after registration, with an audit event.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task SetTag_OnVersion_StoresAndAudits()
    {
        var registry = Fixture.CreateRegistry();
        var v1 = await ConformanceData.RegisterAsync(registry);
        await registry.SetTagAsync("churn", v1.Version, "reviewed", "yes", "carol");
        Assert.Equal("yes", (await registry.GetVersionAsync("churn", 1))?.Tags["reviewed"]);
        var audit = await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn"));
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
    public virtual async Task RegisterVersion_NameWithPathCharacters_ThrowsNamingTheName(string name)
    {
        var registry = Fixture.CreateRegistry();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await ConformanceData.RegisterAsync(registry, name));
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.GetAliasAsync(name, ModelAliases.Champion));
    }

    /// <summary>Models with versions are listed by name, each once.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ListModels_AfterRegistrations_ListsEachModelOnceByName()
    {
        var registry = Fixture.CreateRegistry();
        Assert.Empty(await ConformanceData.ToListAsync(registry.ListModelsAsync()));
        await ConformanceData.RegisterAsync(registry, "fraud");
        await ConformanceData.RegisterAsync(registry, "churn");
        await ConformanceData.RegisterAsync(registry, "churn");

        Assert.Equal(["churn", "fraud"], await ConformanceData.ToListAsync(registry.ListModelsAsync()));
    }

    /// <summary>Non-finite metrics (an R2 of NaN on a constant-label holdout, an infinite ratio) are stored and read back as such.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task RegisterVersion_NonFiniteMetrics_ReadBackAsStored()
    {
        var registry = Fixture.CreateRegistry();
        var registered = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("mlnet", "model.zip", new byte[] { 1, 2, 3 }), "alice")
        {
            Metrics = new Dictionary<string, MetricValue>
            {
                ["R2"] = new("R2", double.NaN, MetricDirection.HigherIsBetter),
                ["Ratio"] = new("Ratio", double.PositiveInfinity, MetricDirection.LowerIsBetter),
                ["Floor"] = new("Floor", double.NegativeInfinity, MetricDirection.HigherIsBetter),
                ["RMSE"] = new("RMSE", 0.25, MetricDirection.LowerIsBetter),
            },
        });

        var read = await registry.GetVersionAsync("churn", registered.Version);
        Assert.NotNull(read);
        Assert.True(double.IsNaN(read.Metrics["R2"].Value));
        Assert.Equal(double.PositiveInfinity, read.Metrics["Ratio"].Value);
        Assert.Equal(double.NegativeInfinity, read.Metrics["Floor"].Value);
        Assert.Equal(0.25, read.Metrics["RMSE"].Value, 12);
        Assert.Equal(MetricDirection.HigherIsBetter, read.Metrics["R2"].Direction);
    }
}
