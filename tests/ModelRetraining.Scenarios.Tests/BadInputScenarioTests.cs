using System.IO.Compression;
using System.Text;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// Story: a champion is in production; then bad input arrives — a missing file, a changed export, a
/// broken value, an empty file, a degenerate or missing label, a read-only registry, a damaged artifact,
/// a dangerous model name, an operator who cancels. Each run ends Rejected, Failed or Cancelled with a
/// message that names the file, column, row or setting, and the registry, its alias history and the
/// champion stay exactly as they were.
/// </summary>
public class BadInputScenarioTests
{
    private const string Header = "date,delay,distance,origin,destination";
    private static readonly Lazy<string[]> FlightRows = new(() =>
    {
        using var gzip = new GZipStream(File.OpenRead(FlightDelays.DataFile), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        reader.ReadLine();
        var rows = new List<string>();
        for (var i = 0; reader.ReadLine() is { } line; i++)
        {
            // Every 8th flight of January–June: 31,250 real rows, enough for a champion that passes the gate.
            if (i % 8 == 0)
            {
                rows.Add(line);
            }
        }

        return rows.ToArray();
    });

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-bad-input", Guid.NewGuid().ToString("N"));

    private string Registry => Path.Combine(_folder, "registry");

    private string Write(string name, IEnumerable<string> lines, string header = Header)
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, header + "\n" + string.Join("\n", lines) + "\n");
        return path;
    }

    private string TrainFile => Write("train.csv", FlightRows.Value.Where((_, i) => i % 5 != 0));

    private string HoldoutFile => Write("holdout.csv", FlightRows.Value.Where((_, i) => i % 5 == 0));

    private static CsvDataSource Source(string path) => CsvDataSource.FromFile(path, FlightDelays.Schema());

    private Task<RetrainingRunResult> RunAsync(string train, string holdout, IModelRegistry? registry = null, RetrainingRunOptions? options = null, CancellationToken cancellationToken = default)
        => FlightDelays.Pipeline(registry ?? ModelRegistry.Embedded(Registry), Source(train), Source(holdout)).Build().RunAsync(options, cancellationToken).AsTask();

    private async Task<string> ChampionInPlaceAsync()
    {
        var first = await RunAsync(TrainFile, HoldoutFile);
        Assert.True(first.Status == RetrainingRunStatus.Succeeded, $"the champion run ended {first.Status}: {AllReasons(first)}");
        return await StateAsync();
    }

    private async Task<string> StateAsync()
    {
        var registry = ModelRegistry.Embedded(Registry);
        var text = new StringBuilder();
        await foreach (var v in registry.ListVersionsAsync("flight-delays"))
        {
            text.Append($"v{v.Version}:{v.Artifact.Sha256};");
        }

        text.Append($"champion={(await registry.GetAliasAsync("flight-delays", ModelAliases.Champion))?.Version};");
        await foreach (var h in registry.GetAliasHistoryAsync("flight-delays", ModelAliases.Champion))
        {
            text.Append($"{h.Sequence}:{h.FromVersion}->{h.ToVersion};");
        }

        await foreach (var a in registry.GetAuditEventsAsync("flight-delays"))
        {
            text.Append($"{a.Sequence}:{a.Action};");
        }

        return text.ToString();
    }

    private static string AllReasons(RetrainingRunResult result) => string.Join(" | ", result.Reasons);

    [Fact]
    public async Task MissingDataFile_FailsAtIngestingNamingTheFile()
    {
        var before = await ChampionInPlaceAsync();
        var result = await RunAsync(Path.Combine(_folder, "march.csv"), HoldoutFile);
        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Equal(RetrainingStage.Ingesting, result.Stage);
        Assert.IsType<FileNotFoundException>(result.Exception);
        Assert.Contains("march.csv", AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task CsvMissingAColumn_IsRejectedNamingTheColumnAndFile()
    {
        var before = await ChampionInPlaceAsync();
        var rows = FlightRows.Value.Take(3_000).Select(r => string.Join(",", r.Split(',').Where((_, i) => i != 2)));
        var train = Write("no-distance.csv", rows, "date,delay,origin,destination");
        var result = await RunAsync(train, HoldoutFile);
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Equal(RetrainingStage.Validating, result.Stage);
        Assert.Contains("Column 'distance' (Numeric) is missing from", AllReasons(result), StringComparison.Ordinal);
        Assert.Contains("no-distance.csv", AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task CsvWithAnExtraColumn_IsRejectedNamingTheColumn()
    {
        var before = await ChampionInPlaceAsync();
        var train = Write("extra.csv", FlightRows.Value.Take(3_000).Select(r => r + ",AA"), Header + ",carrier");
        var result = await RunAsync(train, HoldoutFile);
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains("Column 'carrier' of", AllReasons(result), StringComparison.Ordinal);
        Assert.Contains("is not in the schema", AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task NonNumericValueInANumericColumn_IsRejectedNamingRowAndColumn()
    {
        var before = await ChampionInPlaceAsync();
        var rows = FlightRows.Value.Take(3_000).ToArray();
        var fields = rows[16].Split(',');
        fields[2] = "far";
        rows[16] = string.Join(",", fields);
        var train = Write("typo.csv", rows);
        var result = await RunAsync(train, HoldoutFile);
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains("Column 'distance' of", AllReasons(result), StringComparison.Ordinal);
        Assert.Contains("data row 17 (line 18) holds 'far'", AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task EmptyDataSet_IsRejected()
    {
        var before = await ChampionInPlaceAsync();
        var result = await RunAsync(Write("empty.csv", []), HoldoutFile);
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains("empty.csv' has no rows", AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task LabelWithOnlyOneClass_IsRejected()
    {
        var before = await ChampionInPlaceAsync();
        var onTime = FlightRows.Value.Where(r => int.Parse(r.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture) <= 15).Take(2_000);
        var result = await RunAsync(Write("on-time-only.csv", onTime), HoldoutFile);
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains("Label column 'Late'", AllReasons(result), StringComparison.Ordinal);
        Assert.Contains("1 distinct true/false (false)", AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task NaNLabels_AreRejectedNamingCountAndFirstRow()
    {
        var before = await ChampionInPlaceAsync();
        var rows = FlightRows.Value.Take(3_000).Select((r, i) =>
        {
            if (i is not (9 or 20))
            {
                return r;
            }

            var f = r.Split(',');
            f[1] = i == 9 ? string.Empty : "NaN";
            return string.Join(",", f);
        });
        var result = await RunAsync(Write("nan-labels.csv", rows), HoldoutFile);
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains("Label column 'Late' of", AllReasons(result), StringComparison.Ordinal);
        Assert.Contains("in 2 rows, first at data row 10", AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ReadOnlyRegistryFolder_FailsNamingTheFolderAndChangesNothing()
    {
        var before = await ChampionInPlaceAsync();
        File.SetUnixFileMode(Registry, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        RetrainingRunResult result;
        try
        {
            result = await RunAsync(TrainFile, HoldoutFile);
        }
        finally
        {
            File.SetUnixFileMode(Registry, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.IsAssignableFrom<ModelRegistryException>(result.Exception);
        Assert.Contains(Registry, AllReasons(result), StringComparison.Ordinal);
        Assert.Contains("read-only", AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task ChampionArtifactChangedOnDisk_FailsOnHashMismatchAndKeepsTheChampion()
    {
        var before = await ChampionInPlaceAsync();
        var champion = await ModelRegistry.Embedded(Registry).GetAliasAsync("flight-delays", ModelAliases.Champion);
        var path = Path.Combine(Registry, "artifacts", "sha256", champion!.Artifact.Sha256[..2], champion.Artifact.Sha256);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var result = await RunAsync(TrainFile, HoldoutFile);

        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Equal(RetrainingStage.Evaluating, result.Stage);
        Assert.IsType<ArtifactIntegrityException>(result.Exception);
        Assert.Contains(champion.Artifact.Sha256, AllReasons(result), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task ModelNameWithPathCharacters_IsRefusedBeforeAnythingIsWritten()
    {
        var before = await ChampionInPlaceAsync();
        var error = Assert.Throws<ArgumentException>(() => new RetrainingPipelineBuilder { ModelName = "../x" });
        Assert.Contains("'../x'", error.Message, StringComparison.Ordinal);
        var registry = ModelRegistry.Embedded(Registry);
        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.RegisterVersionAsync(new NewModelVersion("../x", new ModelArtifact("mlnet", "model.zip", new byte[] { 1 }), "attacker")));
        Assert.False(Directory.Exists(Path.Combine(_folder, "x")));
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task CancellingMidTraining_EndsCancelledAndChangesNothing()
    {
        var before = await ChampionInPlaceAsync();
        using var cancellation = new CancellationTokenSource();
        var options = new RetrainingRunOptions { RunId = "cancel-me", Progress = new CancelWhenTrainingStarts(cancellation) };

        var result = await RunAsync(TrainFile, HoldoutFile, options: options, cancellationToken: cancellation.Token);

        Assert.Equal(RetrainingRunStatus.Cancelled, result.Status);
        Assert.Equal(RetrainingStage.Training, result.Stage);
        Assert.Equal(before, await StateAsync());
        var journal = new List<RunJournalEntry>();
        await foreach (var entry in ModelRegistry.Embedded(Registry).GetService<IRunJournal>()!.ReadRunAsync("cancel-me"))
        {
            journal.Add(entry);
        }

        Assert.Equal(RunJournalStatus.Cancelled, journal[^1].Status);
        Assert.DoesNotContain(journal, j => j.Stage == RetrainingStage.Registering);
    }

    private sealed class CancelWhenTrainingStarts(CancellationTokenSource cancellation) : IProgress<RetrainingProgress>
    {
        public void Report(RetrainingProgress value)
        {
            if (value.Stage == RetrainingStage.Training && value.Message.StartsWith("fitting", StringComparison.Ordinal))
            {
                cancellation.Cancel();
            }
        }
    }
}
