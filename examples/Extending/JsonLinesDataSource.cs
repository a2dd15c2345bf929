using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using ModelRetraining;

namespace Extending;

// <snippet:extending-data-source>
/// <summary>Reads a JSON Lines file (one object per line) into typed rows; a line that does not parse is reported, not thrown.</summary>
/// <typeparam name="TRow">The row type: public float, string, bool or DateTime properties, one per column.</typeparam>
public sealed class JsonLinesDataSource<TRow>(string path, string? labelColumn = null) : IDataSource
    where TRow : class
{
    public string Name => Path.GetFileName(path);

    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{Path.GetFullPath(path)}' does not exist.", path); // cannot read at all: throw, naming the file
        }

        var rows = new List<TRow>();
        var issues = new List<DataValidationIssue>();
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        using var reader = new StringReader(System.Text.Encoding.UTF8.GetString(bytes));
        var line = 0;
        while (reader.ReadLine() is { } text)
        {
            cancellationToken.ThrowIfCancellationRequested();
            line++;
            try
            {
                rows.Add(JsonSerializer.Deserialize<TRow>(text) ?? throw new JsonException("null"));
            }
            catch (JsonException ex)
            {
                // A bad row is a ReadIssue with its line, so the schema check decides and says where.
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, "jsonl.parse", $"Line {line} of '{Name}' is not a {typeof(TRow).Name}: {ex.Message}") { Row = line, Source = path });
            }
        }

        var columns = typeof(TRow).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => new DataColumn(p.Name, Kind(p.PropertyType))).ToArray();
        var data = new MLContext(seed: 0).Data.LoadFromEnumerable(rows);
        return new DatasetSnapshot(Name, data, new DataSchema(columns, labelColumn), rows.Count, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)))
        {
            ReadIssues = issues,
            Location = Path.GetFullPath(path),
        };
    }

    private static DataColumnKind Kind(Type type)
        => type == typeof(float) ? DataColumnKind.Numeric
            : type == typeof(bool) ? DataColumnKind.Boolean
            : type == typeof(DateTime) ? DataColumnKind.DateTime
            : DataColumnKind.Text;
}
// </snippet:extending-data-source>
