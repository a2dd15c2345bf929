using System.Globalization;
using System.Text;

namespace ModelRetraining.Tests.Data;

/// <summary>Writes small CSV files for tests: the CSV source's here, and the ML.NET tests, which link this file.</summary>
internal static class Csv
{
    public static string Write(string content, string name = "data.csv")
    {
        var folder = Path.Combine(Path.GetTempPath(), "mr-csv-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A learnable binary problem: y is mostly x &gt; 0, with a category that shifts the odds; one row per hour from 2001-01-01.</summary>
    public static string Synthetic(int rows, int seed = 7, Func<int, string>? label = null)
    {
        var random = new Random(seed);
        var text = new StringBuilder("date,x,cat,y\n");
        var start = new DateTime(2001, 1, 1);
        for (var i = 0; i < rows; i++)
        {
            var x = random.NextDouble() * 4 - 2;
            var cat = (i % 3) switch { 0 => "a", 1 => "b", _ => "c" };
            var noisy = x + (cat == "a" ? 0.5 : 0) + (random.NextDouble() - 0.5);
            text.Append(CultureInfo.InvariantCulture, $"{start.AddHours(i):yyyy-MM-dd HH:mm:ss},{x:0.####},{cat},{label?.Invoke(i) ?? (noisy > 0 ? "true" : "false")}\n");
        }

        return Write(text.ToString());
    }

    public static CsvSchema SyntheticSchema() => new CsvSchema().Time("date").Numeric("x").Text("cat").Boolean("y").Label("y");

    public static readonly RetrainingContext Context = new("model", "run", TimeProvider.System);
}
