using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Microsoft.ML;
using Microsoft.ML.Data;

using ModelRetraining.Tests.Data;

namespace ModelRetraining.Tests.Datasets;

/// <summary>The dataset store on a real folder (SQLite index, local artifact store): batches, windows, idempotency and refusals that store nothing.</summary>
public sealed class DatasetStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-datasets", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private DatasetStore Store() => DatasetStore.Embedded(_folder, _time);

    private static IDataSource Rows(string name, int count, int offset = 0)
        => DataSource.FromEnumerable(name, () => Enumerable.Range(offset, count).Select(i => new TestData.Row { X = i, Label = i % 3 == 0 }), labelColumn: "Label");

    private async Task<DatasetBatch[]> ListAsync(DatasetStore store, string dataset = "orders")
    {
        var batches = new List<DatasetBatch>();
        await foreach (var b in store.ListBatchesAsync(dataset))
        {
            batches.Add(b);
        }

        return [.. batches];
    }

    private int StoredBlobs() => Directory.Exists(Path.Combine(_folder, "artifacts")) ? Directory.GetFiles(Path.Combine(_folder, "artifacts"), "*", SearchOption.AllDirectories).Length : 0;

    [Fact]
    public async Task Append_StoresAnImmutableFingerprintedBatch_ThatSurvivesAReopen()
    {
        var source = Rows("monday.json", 100);
        var batch = await Store().AppendAsync("orders", source, "ingest-bot");

        Assert.Equal("orders#1", batch.Id);
        Assert.Equal(100, batch.Rows);
        Assert.Equal((await source.LoadAsync(Csv.Context)).Fingerprint, batch.Fingerprint);
        Assert.Equal("ingest-bot", batch.SentBy);
        Assert.Equal(_time.GetUtcNow(), batch.ReceivedAt);
        Assert.Equal([batch with { Warnings = [] }], (await ListAsync(Store())).Select(b => b with { Warnings = [] }));
    }

    [Fact]
    public async Task AWindowOfBatches_ReadsAsOneDataSet_NamingEveryBatch_AndTrainsAPipeline()
    {
        var store = Store();
        var first = await store.AppendAsync("orders", Rows("monday", 60), "bot");
        _time.Advance(TimeSpan.FromDays(1));
        var second = await store.AppendAsync("orders", Rows("tuesday", 40, offset: 60), "bot");

        var snapshot = await store.Window("orders", labelColumn: "Label").LoadAsync(Csv.Context);
        Assert.Equal(100, snapshot.RowCount);
        Assert.Equal((await Rows("all", 100).LoadAsync(Csv.Context)).Fingerprint, snapshot.Fingerprint);
        Assert.Contains($"{first.Id} {first.Fingerprint}", snapshot.Location, StringComparison.Ordinal);
        Assert.Contains($"{second.Id} {second.Fingerprint}", snapshot.Location, StringComparison.Ordinal);

        var fixture = new PipelineFixture();
        var result = await fixture.Builder().UseTrainingData(store.Window("orders", labelColumn: "Label")).Build().RunAsync();
        Assert.True(result.Promoted, result.ToString());
        Assert.Contains("orders#2", result.RegisteredVersion!.Datasets.Single(d => d.Role == "training").Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNewDataTrigger_CountsTheRowsOfBatchesTheChampionWasNotTrainedOn()
    {
        var store = Store();
        var fixture = new PipelineFixture();
        Assert.Null(await DataCheck.NewBatchesAsync(fixture.Registry, "churn", store, "orders", 1, _time)); // nothing arrived

        await store.AppendAsync("orders", Rows("monday", 60), "bot");
        var beforeChampion = await DataCheck.NewBatchesAsync(fixture.Registry, "churn", store, "orders", 50, _time);
        Assert.Equal("60", beforeChampion!.Evidence["rows"]);                                            // no champion: all of it

        await store.AppendAsync("orders", Rows("tuesday", 40, offset: 60), "bot");
        Assert.True((await fixture.Builder().UseTrainingData(store.Window("orders", labelColumn: "Label")).Build().RunAsync()).Promoted);
        Assert.Null(await DataCheck.NewBatchesAsync(fixture.Registry, "churn", store, "orders", 1, _time)); // trained on #1 and #2

        await store.AppendAsync("orders", Rows("wednesday", 40, offset: 100), "bot");
        Assert.Null(await DataCheck.NewBatchesAsync(fixture.Registry, "churn", store, "orders", 50, _time));
        var trigger = await DataCheck.NewBatchesAsync(fixture.Registry, "churn", store, "orders", 30, _time);
        Assert.Equal("new-data", trigger!.Kind);
        Assert.Equal("40", trigger.Evidence["rows"]);
        Assert.Equal("orders#3", trigger.Evidence["batches"]);
    }

    [Fact]
    public async Task CheckedWithAPipeline_ABatchIsQuarantined_DriftAlerted_OrRefused_BeforeItIsStored()
    {
        var store = Store();
        var fixture = new PipelineFixture();
        var alerts = new List<DriftAlert>();
        var checks = fixture.Builder()
            .AddDataQuality(q =>
            {
                q.InRange("X", 0, 1_000).Quarantine().RowCount(min: 10);
                q.ReportFolder = Path.Combine(_folder, "quarantine");
            })
            .AddDriftDetection(o => o.OnDrift = alerts.Add)
            .Build();
        Assert.True((await checks.RunAsync()).Promoted); // a champion, whose training profile drift is measured against

        // In range, some rows out of it: those are quarantined, the rest stored.
        var mixed = DataSource.FromEnumerable("mixed", () => Enumerable.Range(0, 100).Select(i => new TestData.Row { X = i % 10 == 0 ? -1 : i, Label = i % 2 == 0 }), labelColumn: "Label");
        var batch = await store.AppendAsync("orders", mixed, "bot", checkWith: checks);
        Assert.Equal(10, batch.Quarantined);
        Assert.Equal(90, batch.Rows);

        // Far from the champion's data: stored, with the drift as a warning and an alert.
        var far = DataSource.FromEnumerable("far", () => Enumerable.Range(0, 100).Select(i => new TestData.Row { X = 900 + i, Label = i % 2 == 0 }), labelColumn: "Label");
        var drifted = await store.AppendAsync("orders", far, "bot", checkWith: checks);
        Assert.Contains(drifted.Warnings, w => w.Rule == "drift.column");
        Assert.Contains(alerts, a => a.DataSet == "far");

        // Too few rows: an Error-level rule refuses it, and nothing is stored.
        var error = await Assert.ThrowsAsync<DatasetBatchRefusedException>(async () => await store.AppendAsync("orders", Rows("tiny", 5), "bot", checkWith: checks));
        Assert.Contains(error.Issues, i => i.Rule == "quality.row-count" && i.Message.EndsWith("5 rows; expected it has at least 10 rows.", StringComparison.Ordinal) && i.Severity == ValidationSeverity.Error);

        // Every row out of range: all quarantined, nothing stored.
        var bad = DataSource.FromEnumerable("bad", () => Enumerable.Range(0, 20).Select(i => new TestData.Row { X = -1 - i, Label = i % 2 == 0 }), labelColumn: "Label");
        var all = await Assert.ThrowsAsync<DatasetBatchRefusedException>(async () => await store.AppendAsync("orders", bad, "bot", checkWith: checks));
        Assert.True(all.Message.Contains("All 20 rows", StringComparison.Ordinal), all.Message);
        Assert.Equal(2, (await ListAsync(store)).Length);
    }

    [Theory]
    [InlineData(30)] // grown by doubling to 32, not cut: the column's array is longer than its rows
    [InlineData(20_000)] // presized from the first 16,384 rows and the file's length
    public async Task ACsvBatch_WhoseColumnsAreLongerThanItsRows_StoresAndReadsBackExactlyItsRows(int rows)
    {
        var text = new System.Text.StringBuilder("at,x,name\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"2001-01-{1 + (i % 28):00} 10:00:00,{i},n{i % 5}\n");
        }

        var source = CsvDataSource.FromFile(Csv.Write(text.ToString()), new CsvSchema().Time("at").Numeric("x").Text("name"));
        var snapshot = await source.LoadAsync(Csv.Context);
        var ml = new MLContext();
        Assert.Equal(rows, ml.Data.CreateEnumerable<Read>(snapshot.Data, reuseRowObject: false).Count());
        Assert.Equal(Enumerable.Range(0, rows).Select(i => (float)i), snapshot.Data.GetColumn<float>("x"));

        var store = Store();
        var batch = await store.AppendAsync("orders", source, "bot");
        var back = await store.Window("orders").LoadAsync(Csv.Context);
        Assert.Equal(rows, batch.Rows);
        Assert.Equal(rows, back.RowCount);
        Assert.Equal(snapshot.Data.GetColumn<float>("x"), back.Data.GetColumn<float>("x"));
        Assert.Equal(snapshot.Data.GetColumn<DateTime>("at"), back.Data.GetColumn<DateTime>("at"));
        Assert.Equal(snapshot.Data.GetColumn<ReadOnlyMemory<char>>("name").Select(m => m.ToString()), back.Data.GetColumn<ReadOnlyMemory<char>>("name").Select(m => m.ToString()));
    }

    private sealed class Read
    {
        public float x { get; set; }
    }

    [Fact]
    public async Task AWindowByArrival_KeepsOnlyTheBatchesReceivedInIt()
    {
        var store = Store();
        await store.AppendAsync("orders", Rows("monday", 60), "bot");
        _time.Advance(TimeSpan.FromDays(1));
        var tuesday = _time.GetUtcNow();
        await store.AppendAsync("orders", Rows("tuesday", 40, offset: 60), "bot");

        var snapshot = await store.Window("orders", receivedFrom: tuesday).LoadAsync(Csv.Context);
        Assert.Equal(40, snapshot.RowCount);
        Assert.DoesNotContain("orders#1", snapshot.Location, StringComparison.Ordinal);
        var none = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.Window("orders", receivedFrom: tuesday.AddDays(1)).LoadAsync(Csv.Context));
        Assert.Contains("No batch of dataset 'orders'", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSameKeyWithTheSameRows_IsStoredOnce()
    {
        var store = Store();
        var first = await store.AppendAsync("orders", Rows("monday", 50), "bot", idempotencyKey: "upload-7");
        var retry = await store.AppendAsync("orders", Rows("monday (retried)", 50), "bot", idempotencyKey: "upload-7");
        Assert.Equal(first.Id, retry.Id);
        Assert.Single(await ListAsync(store));
    }

    [Fact]
    public async Task TheSameKeyWithOtherRows_IsAConflict_AndNothingIsStored()
    {
        var store = Store();
        await store.AppendAsync("orders", Rows("monday", 50), "bot", idempotencyKey: "upload-7");
        var blobs = StoredBlobs();
        var error = await Assert.ThrowsAsync<DatasetBatchRefusedException>(async () => await store.AppendAsync("orders", Rows("other", 51), "bot", idempotencyKey: "upload-7"));
        Assert.True(error.IsIdempotencyConflict);
        Assert.Contains("orders#1", error.Message, StringComparison.Ordinal);
        Assert.Single(await ListAsync(store));
        Assert.Equal(blobs, StoredBlobs());
    }

    [Fact]
    public async Task ACsvWhoseHeaderDiffersFromItsSchema_IsRefusedWithItsIssues_AndNothingIsStored()
    {
        var path = Csv.Write("date,distance,cat,y\n2001-01-01,1,a,true\n");
        var error = await Assert.ThrowsAsync<DatasetBatchRefusedException>(async () => await Store().AppendAsync("orders", CsvDataSource.FromFile(path, Csv.SyntheticSchema()), "bot"));
        Assert.Contains(error.Issues, i => i.Column == "x" && i.Rule == IssueRules.MissingColumn);
        Assert.Empty(await ListAsync(Store()));
        Assert.Equal(0, StoredBlobs());
    }

    [Fact]
    public async Task AnEmptySource_IsRefused()
    {
        var error = await Assert.ThrowsAsync<DatasetBatchRefusedException>(async () => await Store().AppendAsync("orders", Rows("nothing", 0), "bot"));
        Assert.Contains("has no rows", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../orders")]
    [InlineData("orders/2026")]
    [InlineData("")]
    public async Task AnInvalidDatasetName_IsRefusedBeforeAnythingIsRead(string name)
    {
        var read = false;
        var source = DataSource.FromEnumerable("x", () => { read = true; return new[] { new TestData.Row() }; });
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store().AppendAsync(name, source, "bot"));
        Assert.False(read);
    }

    [Fact]
    public async Task ASenderWithAControlCharacter_IsRefused()
        => await Assert.ThrowsAsync<ArgumentException>(async () => await Store().AppendAsync("orders", Rows("monday", 5), "bot\nadmin"));

    [Fact]
    public async Task BatchesOfDifferentSchemas_DoNotReadAsOneWindow()
    {
        var store = Store();
        await store.AppendAsync("orders", Rows("monday", 10), "bot");
        await store.AppendAsync("orders", DataSource.FromEnumerable("tuesday", () => new[] { new { X = 1f, Y = "a" } }), "bot");
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.Window("orders").LoadAsync(Csv.Context));
        Assert.Contains("orders#2 differs from orders#1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoreFromANewerPackage_IsRefused_AndLeftAsItWas()
    {
        Directory.CreateDirectory(_folder);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "datasets.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ListAsync(Store()));
        Assert.Contains("schema version 99, newer than this package's 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_DeletesOldBatches_ButNeverOneARegisteredVersionWasTrainedOn()
    {
        var store = Store();
        var start = _time.GetUtcNow();
        for (var day = 0; day < 5; day++)
        {
            await store.AppendAsync("orders", Rows($"day {day}", 30, offset: 30 * day), "bot");
            _time.Advance(TimeSpan.FromDays(1));
        }

        var fixture = new PipelineFixture();
        var trained = await fixture.Builder().UseTrainingData(store.Window("orders", start.AddDays(1), start.AddDays(3), labelColumn: "Label")).Build().RunAsync();
        Assert.True(trained.Promoted, trained.ToString());
        var blobs = StoredBlobs();

        var result = await store.PruneAsync("orders", new DatasetRetention { KeepBatches = 1, KeepFor = TimeSpan.FromHours(12) }, fixture.Registry);

        Assert.Equal(["orders#1", "orders#4"], result.Deleted.Select(b => b.Id));
        Assert.Equal(["orders#2", "orders#3"], result.KeptForLineage.Select(b => b.Id));
        Assert.Equal(["orders#2", "orders#3", "orders#5"], (await ListAsync(store)).Select(b => b.Id));
        Assert.Equal(blobs - 2, StoredBlobs());
        Assert.Equal(result.Deleted.Sum(b => b.Content.Length), result.BytesReclaimed);

        // The version's training window still reads, with the same fingerprint it was trained on.
        var again = await store.Window("orders", start.AddDays(1), start.AddDays(3), labelColumn: "Label").LoadAsync(Csv.Context);
        Assert.Equal(trained.RegisteredVersion!.Datasets.Single(d => d.Role == "training").Fingerprint, again.Fingerprint);

        // Numbers are never given twice: the next batch is #6.
        Assert.Equal("orders#6", (await store.AppendAsync("orders", Rows("day 5", 30, offset: 150), "bot")).Id);
    }

    [Fact]
    public async Task Retention_KeepsTheNewestBatch_AndWhatEitherBoundKeeps()
    {
        var store = Store();
        for (var day = 0; day < 4; day++)
        {
            await store.AppendAsync("orders", Rows($"day {day}", 10, offset: 10 * day), "bot");
            _time.Advance(TimeSpan.FromDays(1));
        }

        var registry = new PipelineFixture().Registry;
        var byAge = await store.PruneAsync("orders", new DatasetRetention { KeepFor = TimeSpan.FromDays(2.5) }, registry);
        Assert.Equal(["orders#1", "orders#2"], byAge.Deleted.Select(b => b.Id));             // 4 and 3 days old
        var byCountOrAge = await store.PruneAsync("orders", new DatasetRetention { KeepBatches = 2, KeepFor = TimeSpan.FromDays(10) }, registry);
        Assert.Empty(byCountOrAge.Deleted);                                                   // both younger than 10 days
        var all = await store.PruneAsync("orders", new DatasetRetention { KeepFor = TimeSpan.FromMinutes(1) }, registry);
        Assert.Equal(["orders#4"], (await ListAsync(store)).Select(b => b.Id));               // the newest stays
        Assert.Equal(["orders#3"], all.Deleted.Select(b => b.Id));
    }

    [Fact]
    public void Lineage_NamesEveryBatchOfARange_AndOnlyThisDatasets()
    {
        var location = "dataset store: orders#3 .. orders#14 (12 batches); other-orders#99 sha256:ab, orders#20 sha256:cd";
        Assert.Equal([.. Enumerable.Range(3, 12).Select(i => (long)i), 20L], BatchLineage.Sequences(location, "orders").Distinct().Order());
    }

    [Theory]
    [InlineData(null, null, "would delete every batch")]
    [InlineData(0, null, "KeepBatches must be at least 1")]
    [InlineData(null, -1.0, "KeepFor positive")]
    public async Task ARetentionWithoutAValidBound_IsRefused_AndNothingIsDeleted(int? keepBatches, double? keepForDays, string expected)
    {
        var store = Store();
        await store.AppendAsync("orders", Rows("monday", 10), "bot");
        var retention = new DatasetRetention { KeepBatches = keepBatches, KeepFor = keepForDays is { } d ? TimeSpan.FromDays(d) : null };
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.PruneAsync("orders", retention, new PipelineFixture().Registry));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Single(await ListAsync(store));
    }

    [Fact]
    public async Task BatchesStoredInTheFirstFormat_StillRead_AsTheSameRows()
    {
        var snapshot = await DataSource.FromEnumerable("mixed", () => new[]
        {
            new { X = 1.5f, Name = "a", At = (DateTime?)new DateTime(2001, 1, 1, 8, 0, 0, DateTimeKind.Utc), Flag = true },
            new { X = float.NaN, Name = (string)null!, At = (DateTime?)null, Flag = false },
        }).LoadAsync(Csv.Context);

        foreach (var bytes in new[] { BatchCodec.Encode(snapshot), JsonLinesBatchCodec.Encode(snapshot) })
        {
            var (columns, rows) = BatchCodec.Decode(bytes);
            var builder = new DatasetSnapshotBuilder(columns);
            foreach (var row in rows)
            {
                builder.Add(row);
            }

            Assert.Equal(snapshot.Fingerprint, builder.Build("again", null, null, [], null).Fingerprint);
        }
    }
}
