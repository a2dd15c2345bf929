using Microsoft.Data.Sqlite;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Tests.Data;

/// <summary>Rows from objects and from a SQL query (a real SQLite database): schema, values, fingerprints, watermarks and refusals.</summary>
public sealed class ObjectAndQuerySourceTests : IDisposable
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"mr-query-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_database);
    }

    public sealed class Flight
    {
        public long Id { get; set; }

        [ColumnName("at")]
        public DateTimeOffset At { get; set; }

        public double Distance { get; set; }

        public bool? Late { get; set; }

        public string Origin { get; set; } = string.Empty;

        [NoColumn]
        public object? Internal { get; set; }
    }

    private static readonly Flight[] Flights =
    [
        new() { Id = 1, At = new DateTimeOffset(2001, 1, 1, 10, 0, 0, TimeSpan.Zero), Distance = 500, Late = true, Origin = "ORD" },
        new() { Id = 2, At = new DateTimeOffset(2001, 1, 1, 7, 0, 0, TimeSpan.FromHours(-5)), Distance = 1200.5, Late = false, Origin = "JFK" },
        new() { Id = 3, At = new DateTimeOffset(2001, 1, 2, 9, 0, 0, TimeSpan.Zero), Distance = 300, Late = null, Origin = "LAX" },
        new() { Id = 4, At = new DateTimeOffset(2001, 1, 3, 9, 0, 0, TimeSpan.Zero), Distance = 800, Late = true, Origin = "ORD" },
    ];

    private static readonly RetrainingContext Context = new("flights", "sources", TimeProvider.System);

    private string Connection => new SqliteConnectionStringBuilder { DataSource = _database, Pooling = false }.ToString();

    private void CreateTable(string extraColumn = "")
    {
        using var connection = new SqliteConnection(Connection);
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = $"CREATE TABLE flights (Id INTEGER, at TEXT, Distance REAL, Late INTEGER, Origin TEXT{extraColumn})";
        create.ExecuteNonQuery();
        foreach (var f in Flights)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO flights (Id, at, Distance, Late, Origin) VALUES ($id, $at, $distance, $late, $origin)";
            insert.Parameters.AddWithValue("$id", f.Id);
            insert.Parameters.AddWithValue("$at", f.At.ToString("yyyy-MM-dd HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$distance", f.Distance);
            insert.Parameters.AddWithValue("$late", f.Late is { } late ? late ? 1 : 0 : DBNull.Value);
            insert.Parameters.AddWithValue("$origin", f.Origin);
            insert.ExecuteNonQuery();
        }
    }

    private DbQueryDataSource Query(string sql = "SELECT Id, at, Distance, Late, Origin FROM flights")
        => DataSource.FromQuery("flights-table", () => new SqliteConnection(Connection), sql, labelColumn: "Late", timeColumn: "at")
            .WithColumn("at", DataColumnKind.DateTime)
            .WithColumn("Late", DataColumnKind.Boolean);

    [Fact]
    public async Task Objects_SchemaFromTheType_ValuesInTheirKinds_OffsetsInUtc()
    {
        var source = DataSource.FromEnumerable("flights", () => Flights, labelColumn: "Late", timeColumn: "at");
        Assert.Equal(["Id", "at", "Distance", "Late", "Origin"], source.Schema.Columns.Select(c => c.Name));
        Assert.Equal([DataColumnKind.Numeric, DataColumnKind.DateTime, DataColumnKind.Numeric, DataColumnKind.Boolean, DataColumnKind.Text], source.Schema.Columns.Select(c => c.Kind));

        var snapshot = await source.LoadAsync(Context);
        Assert.Equal(4, snapshot.RowCount);
        Assert.Equal(new DateTime(2001, 1, 1, 12, 0, 0), snapshot.Data.GetColumn<DateTime>("at").ElementAt(1));
        Assert.Equal([500f, 1200.5f, 300f, 800f], snapshot.Data.GetColumn<float>("Distance").ToArray());
        Assert.Equal("Late", snapshot.Schema.LabelColumn);
        Assert.Empty(snapshot.ReadIssues);
    }

    [Fact]
    public async Task Objects_Fingerprint_IsStable_AndChangesWithAValue()
    {
        var rows = Flights.Select(f => new Flight { Id = f.Id, At = f.At, Distance = f.Distance, Late = f.Late, Origin = f.Origin }).ToList();
        var source = DataSource.FromEnumerable("flights", () => rows);
        var first = await source.LoadAsync(Context);
        Assert.Equal(first.Fingerprint, (await source.LoadAsync(Context)).Fingerprint);
        rows[2].Distance = 301;
        Assert.NotEqual(first.Fingerprint, (await source.LoadAsync(Context)).Fingerprint);
    }

    [Fact]
    public void Objects_AMemberOfAnUnsupportedType_IsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => DataSource.FromEnumerable("bad", () => Array.Empty<WithList>()));
        Assert.Contains("WithList.Tags is List`1", error.Message, StringComparison.Ordinal);
        var label = Assert.Throws<ArgumentException>(() => DataSource.FromEnumerable("bad", () => Flights, labelColumn: "late"));
        Assert.Contains("'late' is not a column of Flight", label.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objects_NullRows_AreAnErrorWithTheirCount()
    {
        var snapshot = await DataSource.FromEnumerable("flights", () => new[] { Flights[0], null!, Flights[1] }).LoadAsync(Context);
        var issue = Assert.Single(snapshot.ReadIssues);
        Assert.Equal(ValidationSeverity.Error, issue.Severity);
        Assert.Equal(2, issue.Row);
        Assert.Equal(2, snapshot.RowCount);
    }

    [Fact]
    public async Task Query_ReadsTheTable_WithDeclaredKinds_AndFingerprintsAsTheSameObjectsWould()
    {
        CreateTable();
        var snapshot = await Query().LoadAsync(Context);
        Assert.Equal(4, snapshot.RowCount);
        Assert.Empty(snapshot.ReadIssues);
        Assert.Equal([true, false, false, true], snapshot.Data.GetColumn<bool>("Late").ToArray());
        Assert.Equal(new DateTime(2001, 1, 1, 12, 0, 0), snapshot.Data.GetColumn<DateTime>("at").ElementAt(1));
        Assert.Contains("SELECT Id, at", snapshot.Location, StringComparison.Ordinal);

        // The same values, from objects: the same fingerprint.
        var objects = await DataSource.FromEnumerable("flights", () => Flights).LoadAsync(Context);
        Assert.Equal(objects.Fingerprint, snapshot.Fingerprint);
    }

    [Fact]
    public async Task Query_Since_ReadsOnlyNewerRows_InOrder_AndRecordsTheRange()
    {
        CreateTable();
        var snapshot = await Query().Since("Id", 2).LoadAsync(Context);
        Assert.Equal([3f, 4f], snapshot.Data.GetColumn<float>("Id").ToArray());
        Assert.Contains("rows with Id > 2, up to 4", snapshot.Location, StringComparison.Ordinal);
        Assert.Equal(0, (await Query().Since("Id", 4).LoadAsync(Context)).RowCount);
    }

    [Theory]
    [InlineData("Id; DROP TABLE flights")]
    [InlineData("Id--")]
    [InlineData("1d")]
    public void Query_AWatermarkColumnThatIsNotAnIdentifier_IsRefused(string column)
    {
        var error = Assert.Throws<ArgumentException>(() => Query().Since(column, 1));
        Assert.Contains("plain identifier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_AColumnOfAnUnsupportedType_IsRefusedNamingIt()
    {
        CreateTable(", Photo BLOB");
        using (var connection = new SqliteConnection(Connection))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE flights SET Photo = x'0102'";
            update.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await Query("SELECT * FROM flights").LoadAsync(Context));
        Assert.Contains("'Photo' is Byte[]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_AValueThatDoesNotFitItsDeclaredKind_IsAnIssueNamingRowAndColumn()
    {
        CreateTable();
        using (var connection = new SqliteConnection(Connection))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE flights SET at = '01/02/2001' WHERE Id = 3";
            update.ExecuteNonQuery();
        }

        var snapshot = await Query().LoadAsync(Context);
        var issue = Assert.Single(snapshot.ReadIssues);
        Assert.Equal("at", issue.Column);
        Assert.Equal(3, issue.Row);
        Assert.Contains("'01/02/2001'", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_InAPipeline_RecordsTheQueryInTheLineage()
    {
        CreateTable();
        var fixture = new PipelineFixture();
        var data = DataSource.FromQuery("flights-table", () => new SqliteConnection(Connection), "SELECT Id AS X, (Late = 1) AS Label FROM flights WHERE Late IS NOT NULL")
            .WithColumn("Label", DataColumnKind.Boolean);
        var result = await fixture.Builder().UseTrainingData(data).Build().RunAsync();
        Assert.True(result.Promoted, result.ToString());
        Assert.StartsWith("flights-table: SELECT Id AS X", result.RegisteredVersion!.Datasets.Single(d => d.Role == "training").Name, StringComparison.Ordinal);
    }

    public sealed class WithList
    {
        public float X { get; set; }

        public List<int> Tags { get; set; } = [];
    }
}
