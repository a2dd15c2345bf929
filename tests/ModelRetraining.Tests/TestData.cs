using Microsoft.ML;

namespace ModelRetraining.Tests;

/// <summary>Small data sets built in memory for tests of the code around the ML.</summary>
internal static class TestData
{
    public sealed class Row
    {
        public float X { get; set; }

        public bool Label { get; set; }
    }

    public sealed class NumericRow
    {
        public float X { get; set; }

        public float Label { get; set; }
    }

    public static readonly DataSchema Schema = new([new DataColumn("X", DataColumnKind.Numeric), new DataColumn("Label", DataColumnKind.Boolean)], "Label");

    public static DatasetSnapshot Snapshot(string name, int rows, Func<int, bool>? label = null, DataSchema? observed = null)
    {
        var data = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new Row { X = i, Label = (label ?? (j => j % 2 == 0))(i) }).ToArray());
        return new DatasetSnapshot(name, data, observed ?? Schema, rows, $"sha256:{name}-{rows}");
    }

    public static DatasetSnapshot NumericLabelSnapshot(string name, float[] labels)
    {
        var data = new MLContext(1).Data.LoadFromEnumerable(labels.Select((l, i) => new NumericRow { X = i, Label = l }).ToArray());
        return new DatasetSnapshot(name, data, new DataSchema([new DataColumn("X", DataColumnKind.Numeric), new DataColumn("Label", DataColumnKind.Numeric)], "Label"), labels.Length, $"sha256:{name}");
    }

    public static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mr-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
