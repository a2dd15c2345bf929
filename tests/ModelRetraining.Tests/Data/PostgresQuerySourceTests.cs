using Microsoft.ML;
using Microsoft.ML.Data;
using Npgsql;

namespace ModelRetraining.Tests.Data;

/// <summary>The query source on a real PostgreSQL 15 (Npgsql), with its native types: kinds, UTC times, fingerprints equal to the same objects', the watermark as a parameter, and refusals.</summary>
public sealed class PostgresQuerySourceTests : IAsyncLifetime
{
    private static readonly RetrainingContext Context = new("flights", "sources", TimeProvider.System);
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        await _database.ExecuteAsync("""
            CREATE TABLE flights (id bigint PRIMARY KEY, at timestamptz NOT NULL, distance double precision, late boolean, origin text);
            INSERT INTO flights VALUES
              (1, '2001-01-01 10:00:00+00', 500, true, 'ORD'),
              (2, '2001-01-01 07:00:00-05', 1200.5, false, 'JFK'),
              (3, '2001-01-02 09:00:00+00', 300, NULL, 'LAX'),
              (4, '2001-01-03 09:00:00+00', 800, true, 'ORD');
            """);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    public sealed class Flight
    {
        [ColumnName("id")]
        public long Id { get; set; }

        [ColumnName("at")]
        public DateTimeOffset At { get; set; }

        [ColumnName("distance")]
        public double Distance { get; set; }

        [ColumnName("late")]
        public bool? Late { get; set; }

        [ColumnName("origin")]
        public string Origin { get; set; } = string.Empty;
    }

    private DbQueryDataSource Query(string sql = "SELECT id, at, distance, late, origin FROM flights ORDER BY id")
        => DataSource.FromQuery("flights-table", () => new NpgsqlConnection(_database.ConnectionString), sql, labelColumn: "late", timeColumn: "at");

    [Fact]
    public async Task NativeTypes_MapToKinds_TimesInUtc_AndTheFingerprintIsTheSameObjects()
    {
        var snapshot = await Query().LoadAsync(Context);

        Assert.Equal(4, snapshot.RowCount);
        Assert.Empty(snapshot.ReadIssues);
        Assert.Equal([DataColumnKind.Numeric, DataColumnKind.DateTime, DataColumnKind.Numeric, DataColumnKind.Boolean, DataColumnKind.Text], snapshot.Schema.Columns.Select(c => c.Kind));
        Assert.Equal(new DateTime(2001, 1, 1, 12, 0, 0), snapshot.Data.GetColumn<DateTime>("at").ElementAt(1));
        var objects = await DataSource.FromEnumerable("same", () => new[]
        {
            new Flight { Id = 1, At = new DateTimeOffset(2001, 1, 1, 10, 0, 0, TimeSpan.Zero), Distance = 500, Late = true, Origin = "ORD" },
            new Flight { Id = 2, At = new DateTimeOffset(2001, 1, 1, 12, 0, 0, TimeSpan.Zero), Distance = 1200.5, Late = false, Origin = "JFK" },
            new Flight { Id = 3, At = new DateTimeOffset(2001, 1, 2, 9, 0, 0, TimeSpan.Zero), Distance = 300, Late = null, Origin = "LAX" },
            new Flight { Id = 4, At = new DateTimeOffset(2001, 1, 3, 9, 0, 0, TimeSpan.Zero), Distance = 800, Late = true, Origin = "ORD" },
        }).LoadAsync(Context);
        Assert.Equal(objects.Fingerprint, snapshot.Fingerprint);
    }

    [Fact]
    public async Task Since_PassesTheWatermarkAsAParameter_AndReadsOnlyNewerRows()
    {
        var snapshot = await Query().Since("id", 2L).LoadAsync(Context);
        Assert.Equal([3f, 4f], snapshot.Data.GetColumn<float>("id").ToArray());
        Assert.Contains("rows with id > 2, up to 4", snapshot.Location, StringComparison.Ordinal);

        var byTime = await Query().Since("at", new DateTime(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc)).LoadAsync(Context);
        Assert.Equal(2, byTime.RowCount);

        // A hostile value is a value: the parameter keeps it out of the SQL, and the table is still there.
        Assert.Equal(0, (await Query().Since("origin", "x'; DROP TABLE flights; --").LoadAsync(Context)).RowCount);
        Assert.Equal(4, (await Query().LoadAsync(Context)).RowCount);
    }

    [Fact]
    public async Task AColumnOfAnUnsupportedType_IsRefusedNamingIt()
    {
        await _database.ExecuteAsync("ALTER TABLE flights ADD COLUMN photo bytea; UPDATE flights SET photo = '\\x0102'");
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await Query("SELECT * FROM flights").LoadAsync(Context));
        Assert.Contains("'photo' is Byte[]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQueryThatFails_NamesTheServersError_AndAWrongLabelColumnIsNamed()
    {
        var missing = await Assert.ThrowsAsync<PostgresException>(async () => await Query("SELECT nope FROM flights").LoadAsync(Context));
        Assert.Contains("nope", missing.MessageText, StringComparison.Ordinal);

        var label = await Assert.ThrowsAsync<InvalidDataException>(async () => await Query("SELECT id, at FROM flights").LoadAsync(Context));
        Assert.Contains("The label column 'late' is not a column", label.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InAPipeline_TheQueryTrainsAndIsRecordedInTheLineage()
    {
        var fixture = new PipelineFixture();
        var data = DataSource.FromQuery("flights-table", () => new NpgsqlConnection(_database.ConnectionString), "SELECT id::real AS \"X\", coalesce(late, false) AS \"Label\" FROM flights");
        var result = await fixture.Builder().UseTrainingData(data).Build().RunAsync();
        Assert.True(result.Promoted, result.ToString());
        Assert.StartsWith("flights-table: SELECT id::real", result.RegisteredVersion!.Datasets.Single(d => d.Role == "training").Name, StringComparison.Ordinal);
    }
}
