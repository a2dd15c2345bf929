using System.Globalization;
using System.IO.Compression;
using System.Text;
using Parquet;
using Parquet.Schema;
using static ModelRetraining.Cli.Tests.QuickStartRegistry;

namespace ModelRetraining.Cli.Tests;

/// <summary><c>mrt drift</c> and <c>mrt profile</c> run as a process on two months of the real 2001 flights (examples/data/flights-2001).</summary>
public sealed class DataCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mrt-data-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Drift_OnTwoFlightMonths_WritesBothReports_WithTheLibrarysFigures()
    {
        var (january, june) = (Month("01"), Month("06"));
        var reports = Path.Combine(_folder, "reports");

        var (exit, json, error) = await Mrt("drift", january, june, "--out", reports, "--time", "date", "--json");
        Assert.True(exit == 0, error);

        var written = DriftReportJson(Path.Combine(reports, "drift-report.json"));
        var html = await File.ReadAllTextAsync(Path.Combine(reports, "drift-report.html"));
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("distance", html, StringComparison.Ordinal);

        // The same comparison through the library, on the same files read with the same guessed schema.
        var schema = CsvSchema.Infer(january).Time("date");
        var expected = new DriftDetector().Compare(await Read(january, schema), await Read(june, schema), ["delay", "distance", "origin", "destination"]);
        var shown = Json(json);
        Assert.Equal(expected.Columns.Select(c => c.Column), shown.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("column").GetString()));
        foreach (var column in expected.Columns)
        {
            var row = shown.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("column").GetString() == column.Column);
            Assert.Equal(column.Statistic, row.GetProperty("statistic").GetDouble());
            Assert.Equal(column.Drifted, row.GetProperty("drifted").GetBoolean());
            Assert.Equal(column.Statistic, written.Single(c => c.GetProperty("column").GetString() == column.Column).GetProperty("statistic").GetDouble());
        }

        Assert.Equal(expected.DatasetDrift, shown.GetProperty("datasetDrift").GetBoolean());
        Assert.DoesNotContain(shown.GetProperty("columns").EnumerateArray(), c => c.GetProperty("column").GetString() == "date"); // the time column differs by construction
    }

    [Fact]
    public async Task Drift_AsATable_NamesEveryColumnAndTheReports_AndFailOnDriftExits1WhenTheDataSetDrifted()
    {
        var (january, june) = (Month("01"), Month("06"));
        var reports = Path.Combine(_folder, "reports");

        var (exit, table, _) = await Mrt("drift", january, june, "--out", reports, "--time", "date");
        Assert.Equal(0, exit);
        Assert.Contains("distance", table, StringComparison.Ordinal);
        Assert.Contains("drift-report.html", table, StringComparison.Ordinal);

        // Compared in every column, the date column included, January and June drift as a data set only when most columns do; name date alone to force it.
        var (failed, _, error) = await Mrt("drift", january, june, "--out", reports, "--columns", "date", "--fail-on-drift");
        Assert.Equal(1, failed);
        Assert.Contains("Dataset drift", error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(reports, "drift-report.json"))); // the reports are written all the same
    }

    [Fact]
    public async Task Drift_OnParquetFiles_ComparesTheirTypedColumns()
    {
        var january = await ParquetMonth("01");
        var june = await ParquetMonth("06");
        var reports = Path.Combine(_folder, "parquet-reports");

        var (exit, json, error) = await Mrt("drift", january, june, "--out", reports, "--json");
        Assert.True(exit == 0, error);
        Assert.Equal(["delay", "distance", "origin"], Json(json).GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("column").GetString()));
        Assert.True(File.Exists(Path.Combine(reports, "drift-report.html")));
    }

    [Fact]
    public async Task Drift_WithABadRowInTheCurrentFile_NamesTheRowAndColumn_Exits1_AndWritesNothing()
    {
        var january = Month("01");
        var lines = await File.ReadAllLinesAsync(Month("06"));
        var parts = lines[500].Split(',');
        parts[1] = "abc";
        lines[500] = string.Join(',', parts);
        var bad = Path.Combine(_folder, "june-bad.csv");
        await File.WriteAllLinesAsync(bad, lines);
        var reports = Path.Combine(_folder, "reports");

        var (exit, _, error) = await Mrt("drift", january, bad, "--out", reports);
        Assert.Equal(1, exit);
        Assert.Contains("Column 'delay'", error, StringComparison.Ordinal);
        Assert.Contains("data row 500 (line 501)", error, StringComparison.Ordinal);
        Assert.Contains("'abc'", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(reports));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("unknown-column")]
    [InlineData("out-is-a-file")]
    [InlineData("registry-option")]
    public async Task Drift_Refusals_HaveTheirExitCode_AndWriteNothing(string refusal)
    {
        var january = Month("01");
        var reports = Path.Combine(_folder, "reports");
        var file = Path.Combine(_folder, "a-file");
        await File.WriteAllTextAsync(file, "x");
        var (args, code, message) = refusal switch
        {
            "missing" => (new[] { "drift", january, Path.Combine(_folder, "nope.csv"), "--out", reports }, 4, "does not exist"),
            "unknown-column" => ([ "drift", january, january, "--out", reports, "--text", "origen" ], 2, "--text names 'origen'"),
            "out-is-a-file" => ([ "drift", january, january, "--out", file ], 2, "is a file"),
            _ => ([ "drift", january, january, "--registry", _folder ], 2, "Unknown option --registry"),
        };

        var (exit, _, error) = await Mrt(args);
        Assert.Equal(code, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(reports));
        Assert.Equal("x", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Profile_WritesTheLibrarysProfile_AndShowsItsFigures()
    {
        var january = Month("01");
        var target = Path.Combine(_folder, "january.profile.json");

        var (exit, json, error) = await Mrt("profile", january, "--out", target, "--time", "date", "--json");
        Assert.True(exit == 0, error);
        var profile = DataProfile.FromJson(await File.ReadAllTextAsync(target));
        var expected = DataProfile.Create(await Read(january, CsvSchema.Infer(january).Time("date")));
        Assert.Equal(expected.RowCount, profile.RowCount);
        Assert.Equal(expected["delay"]!.Mean, profile["delay"]!.Mean, 9);
        var delay = Json(json).GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "delay");
        Assert.Equal(expected["delay"]!.Mean, delay.GetProperty("mean").GetDouble(), 9);
        Assert.Equal(expected["delay"]!.Count, delay.GetProperty("count").GetInt64());
        var origin = Json(json).GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "origin");
        Assert.Equal(expected["origin"]!.TopValues[0].Key, origin.GetProperty("top")[0].GetProperty("value").GetString());

        var (tableExit, table, _) = await Mrt("profile", january, "--out", target);
        Assert.Equal(0, tableExit);
        Assert.Contains(expected.RowCount.ToString("N0", CultureInfo.InvariantCulture) + " rows", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_OfABadFile_Exits1_AndLeavesTheEarlierProfileAsItWas()
    {
        var target = Path.Combine(_folder, "p.json");
        await File.WriteAllTextAsync(target, "earlier");
        var empty = Path.Combine(_folder, "empty.csv");
        await File.WriteAllTextAsync(empty, string.Empty);

        var (exit, _, error) = await Mrt("profile", empty, "--out", target);
        Assert.Equal(1, exit);
        Assert.Contains("empty.csv", error, StringComparison.Ordinal);
        Assert.Equal("earlier", await File.ReadAllTextAsync(target));
    }

    // One month of the example's 250k flights, as its own CSV file.
    private string Month(string month)
    {
        var path = Path.Combine(_folder, $"flights-2001-{month}.csv");
        if (File.Exists(path))
        {
            return path;
        }

        using var reader = new StreamReader(new GZipStream(File.OpenRead(FlightsFile), CompressionMode.Decompress));
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.WriteLine(reader.ReadLine());
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith($"2001-{month}-", StringComparison.Ordinal))
            {
                writer.WriteLine(line);
            }
        }

        return path;
    }

    private async Task<string> ParquetMonth(string month)
    {
        var rows = (await File.ReadAllLinesAsync(Month(month))).Skip(1).Select(l => l.Split(',')).ToArray();
        var (delay, distance, origin) = (new DataField("delay", typeof(double), isNullable: true), new DataField("distance", typeof(int)), new DataField("origin", typeof(string)));
        var path = Path.Combine(_folder, $"flights-2001-{month}.parquet");
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(delay, distance, origin), file);
        foreach (var group in rows.Chunk(10_000))
        {
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync<double>(delay, group.Select(r => r[1].Length == 0 ? (double?)null : double.Parse(r[1], CultureInfo.InvariantCulture)).ToArray());
            await rowGroup.WriteAsync<int>(distance, group.Select(r => int.Parse(r[2], CultureInfo.InvariantCulture)).ToArray());
            await rowGroup.WriteAsync(origin, group.Select(r => r[3]).ToArray());
        }

        return path;
    }

    private static async Task<Microsoft.ML.IDataView> Read(string path, CsvSchema schema)
        => (await CsvDataSource.FromFile(path, schema).LoadAsync(new RetrainingContext("test", "test", TimeProvider.System))).Data;

    private static System.Text.Json.JsonElement[] DriftReportJson(string path)
        => [.. Json(File.ReadAllText(path)).GetProperty("columns").EnumerateArray()];

    private static string FlightsFile
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(root.FullName, "ModelRetraining.sln")))
            {
                root = root.Parent!;
            }

            return Path.Combine(root.FullName, "examples", "data", "flights-2001", "flights-2001-250k.csv.gz");
        }
    }
}
