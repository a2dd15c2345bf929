using Microsoft.ML;
using ModelRetraining.MLNet;
using Parquet;
using Parquet.Schema;
using QuickStart;

namespace ModelRetraining.Parquet.Tests;

/// <summary>
/// Parquet files written with Parquet.Net from real flights (January 2001): read by row group, values as the CSV
/// reader reads them, a folder as one data set, a real pipeline trained on them, and every refusal named.
/// </summary>
public sealed class ParquetDataSourceTests : IDisposable
{
    private static readonly RetrainingContext Context = new("flight-delays", "parquet", TimeProvider.System);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-parquet", Guid.NewGuid().ToString("N"));

    public ParquetDataSourceTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public sealed class Flight
    {
        public DateTime At { get; set; }

        public float Distance { get; set; }

        public string Origin { get; set; } = string.Empty;

        public float DayOfWeek { get; set; }

        public bool Late { get; set; }
    }

    private static async Task<Flight[]> FlightsAsync(DateTime from, DateTime to)
    {
        var data = await CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema()).Between(from, to).LoadAsync(Context);
        return [.. new MLContext(0).Data.CreateEnumerable<FlightRow>(data.Data, reuseRowObject: false)
            .Select(f => new Flight { At = DateTime.SpecifyKind(f.Date, DateTimeKind.Utc), Distance = f.Distance, Origin = f.Origin, DayOfWeek = f.DayOfWeek, Late = f.Late })];
    }

    private static readonly DataField AtField = new("At", typeof(DateTime));
    private static readonly DataField DistanceField = new("Distance", typeof(double), isNullable: true);
    private static readonly DataField OriginField = new("Origin", typeof(string));
    private static readonly DataField DayField = new("DayOfWeek", typeof(int));
    private static readonly DataField LateField = new("Late", typeof(bool));

    // Distances as nullable doubles and days as ints, so the type mapping is exercised, in groups of groupSize rows.
    private async Task<string> WriteAsync(string name, Flight[] flights, int groupSize)
    {
        var path = Path.Combine(_folder, name);
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(AtField, DistanceField, OriginField, DayField, LateField), file);
        foreach (var group in flights.Chunk(groupSize))
        {
            using var rows = writer.CreateRowGroup();
            await rows.WriteAsync<DateTime>(AtField, group.Select(f => f.At).ToArray());
            await rows.WriteAsync<double>(DistanceField, group.Select(f => (double?)f.Distance).ToArray());
            await rows.WriteAsync(OriginField, group.Select(f => f.Origin).ToArray());
            await rows.WriteAsync<int>(DayField, group.Select(f => (int)f.DayOfWeek).ToArray());
            await rows.WriteAsync<bool>(LateField, group.Select(f => f.Late).ToArray());
        }

        return path;
    }

    [Fact]
    public async Task AFileOfSeveralRowGroups_ReadsEveryRow_AsTheSameObjectsWouldBeRead()
    {
        var flights = await FlightsAsync(new(2001, 1, 1), new(2001, 1, 8));
        var path = await WriteAsync("week.parquet", flights, groupSize: 1_000);

        var snapshot = await ParquetDataSource.FromPath(path, labelColumn: "Late", timeColumn: "At").LoadAsync(Context);
        Assert.Equal(flights.Length, snapshot.RowCount);
        Assert.Equal([DataColumnKind.DateTime, DataColumnKind.Numeric, DataColumnKind.Text, DataColumnKind.Numeric, DataColumnKind.Boolean], snapshot.Schema.Columns.Select(c => c.Kind));
        Assert.Equal("week.parquet", snapshot.Name);
        Assert.Equal(Path.GetFullPath(path), snapshot.Location);

        // The same values from objects: the same fingerprint, so lineage does not depend on the format.
        var objects = await DataSource.FromEnumerable("week", () => flights).LoadAsync(Context);
        Assert.Equal(objects.Fingerprint, snapshot.Fingerprint);
    }

    [Fact]
    public async Task AFolder_IsOneDataSet_ItsFilesInNameOrder()
    {
        var first = await FlightsAsync(new(2001, 1, 1), new(2001, 1, 3));
        var second = await FlightsAsync(new(2001, 1, 3), new(2001, 1, 5));
        var folder = Path.Combine(_folder, "january");
        Directory.CreateDirectory(folder);
        await WriteAsync(Path.Combine("january", "part-2.parquet"), second, 5_000);
        await WriteAsync(Path.Combine("january", "part-1.parquet"), first, 5_000);

        var snapshot = await ParquetDataSource.FromPath(folder).LoadAsync(Context);
        var together = await DataSource.FromEnumerable("both", () => first.Concat(second)).LoadAsync(Context);
        Assert.Equal(first.Length + second.Length, snapshot.RowCount);
        Assert.Equal(together.Fingerprint, snapshot.Fingerprint);
    }

    [Fact]
    public async Task ARealPipeline_TrainsOnParquet_AndRecordsTheFileInTheLineage()
    {
        var training = await WriteAsync("train.parquet", await FlightsAsync(new(2001, 1, 1), new(2001, 1, 22)), 10_000);
        var holdout = await WriteAsync("holdout.parquet", await FlightsAsync(new(2001, 1, 22), new(2001, 2, 1)), 10_000);
        var registry = ModelRegistry.Embedded(Path.Combine(_folder, "registry"));
        var result = await new RetrainingPipelineBuilder { ModelName = "flight-delays", Actor = "parquet" }
            .UseTrainingData(ParquetDataSource.FromPath(training, labelColumn: "Late", timeColumn: "At"))
            .UseHoldoutData(ParquetDataSource.FromPath(holdout, labelColumn: "Late", timeColumn: "At"))
            .AddMLNetTraining(ml => ml.Transforms.Concatenate("Features", "Distance", "DayOfWeek").Append(ml.BinaryClassification.Trainers.FastTree("Late", numberOfTrees: 20)), o => o.Seed = 1)
            .AddMLNetEvaluation(MLTask.BinaryClassification)
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5))
            .UseRegistry(registry)
            .Build()
            .RunAsync();

        Assert.True(result.Promoted, result.ToString());
        Assert.Equal(Path.GetFullPath(training), result.RegisteredVersion!.Datasets.Single(d => d.Role == "training").Name);
    }

    [Fact]
    public async Task ATruncatedFile_IsRefusedNamingIt()
    {
        var path = await WriteAsync("whole.parquet", await FlightsAsync(new(2001, 1, 1), new(2001, 1, 3)), 1_000);
        var bytes = await File.ReadAllBytesAsync(path);
        var truncated = Path.Combine(_folder, "truncated.parquet");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await ParquetDataSource.FromPath(truncated).LoadAsync(Context));
        Assert.Contains("'truncated.parquet'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AColumnOfAnUnsupportedType_IsRefusedNamingIt()
    {
        var path = Path.Combine(_folder, "binary.parquet");
        var blob = new DataField("Photo", typeof(byte[]));
        await using (var file = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(DistanceField, blob), file))
        using (var rows = writer.CreateRowGroup())
        {
            await rows.WriteAsync<double>(DistanceField, new double?[] { 1, 2 });
            await rows.WriteAsync(blob, new[] { new byte[] { 1 }, new byte[] { 2 } });
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await ParquetDataSource.FromPath(path).LoadAsync(Context));
        Assert.Contains("'Photo' is binary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFolderWhoseFilesDisagree_IsRefusedNamingBoth()
    {
        var folder = Path.Combine(_folder, "mixed");
        Directory.CreateDirectory(folder);
        await WriteAsync(Path.Combine("mixed", "a.parquet"), await FlightsAsync(new(2001, 1, 1), new(2001, 1, 2)), 1_000);
        await using (var file = File.Create(Path.Combine(folder, "b.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(DistanceField), file))
        using (var rows = writer.CreateRowGroup())
        {
            await rows.WriteAsync<double>(DistanceField, new double?[] { 1 });
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await ParquetDataSource.FromPath(folder).LoadAsync(Context));
        Assert.Contains("'b.parquet'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'a.parquet'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingFileOrALabelThatIsNotAColumn_IsRefusedNamingIt()
    {
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(async () => await ParquetDataSource.FromPath(Path.Combine(_folder, "none.parquet")).LoadAsync(Context));
        Assert.Contains("none.parquet", missing.Message, StringComparison.Ordinal);
        var path = await WriteAsync("day.parquet", await FlightsAsync(new(2001, 1, 1), new(2001, 1, 2)), 1_000);
        var label = await Assert.ThrowsAsync<InvalidDataException>(async () => await ParquetDataSource.FromPath(path, labelColumn: "late").LoadAsync(Context));
        Assert.Contains("'late' is not a column", label.Message, StringComparison.Ordinal);
    }
}
