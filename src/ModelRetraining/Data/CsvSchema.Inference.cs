namespace ModelRetraining;

// A schema guessed from a file's header and its first rows, for tools that meet a file they know nothing
// about (the CLI's drift and profile commands). A pipeline declares its schema instead: a guess made on
// the first rows cannot know that a column holding numbers there holds text further down.
public sealed partial class CsvSchema
{
    /// <summary>
    /// Guesses a schema from the header and the first <paramref name="sampleRows"/> data rows of a CSV file
    /// (<c>.gz</c> decompressed): a column whose every non-empty sampled cell reads as a number is numeric;
    /// else one of <c>true/false/yes/no</c> is Boolean; else one of ISO 8601 date-times is a date-time;
    /// anything else, and a column empty in the whole sample, is text. A cell past the sample that does not
    /// fit its column's guess is reported by the reader as any type error is, with its row and column.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="separator">The field separator.</param>
    /// <param name="sampleRows">How many data rows the guess reads; at least 1.</param>
    /// <returns>A new schema with one column per header field, in header order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file has no header, or its header is blank or names a column twice.</exception>
    public static CsvSchema Infer(string path, char separator = ',', int sampleRows = 10_000)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRows, 1);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{System.IO.Path.GetFullPath(path)}' does not exist.", path);
        }

        var name = System.IO.Path.GetFileName(path);
        var schema = new CsvSchema { Separator = separator };
        using var reader = CsvDataSource.OpenText(path, out _);
        var records = new CsvRecordReader(reader, separator, path, schema.MaxRecordLength, CancellationToken.None);
        if (!records.Read())
        {
            throw new InvalidDataException($"Data file '{name}' is empty: it has no header row.");
        }

        var header = new string[records.FieldCount];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = records.Field(i).ToString().Trim();
            if (header[i].Length == 0)
            {
                throw new InvalidDataException($"The header of '{name}' has no name for field {i + 1}.");
            }

            if (!seen.TryAdd(header[i], i))
            {
                var first = seen[header[i]];
                throw new InvalidDataException($"The header of '{name}' names '{header[i]}' twice (fields {first + 1} and {i + 1}).");
            }
        }

        var guesses = new KindGuess[header.Length];
        for (var row = 0; row < sampleRows && records.Read(); row++)
        {
            if (records.FieldCount != header.Length)
            {
                continue; // the reader reports a row of the wrong width; it says nothing of a column's type
            }

            for (var c = 0; c < header.Length; c++)
            {
                guesses[c].Observe(records.Field(c), schema);
            }
        }

        for (var c = 0; c < header.Length; c++)
        {
            schema.Add(new CsvColumn(header[c], guesses[c].Kind, null));
        }

        return schema;
    }

    private struct KindGuess
    {
        private bool _seen;
        private bool _notNumeric;
        private bool _notBoolean;
        private bool _notDateTime;

        public readonly DataColumnKind Kind => !_seen ? DataColumnKind.Text
            : !_notNumeric ? DataColumnKind.Numeric
            : !_notBoolean ? DataColumnKind.Boolean
            : !_notDateTime ? DataColumnKind.DateTime
            : DataColumnKind.Text;

        public void Observe(ReadOnlySpan<char> field, CsvSchema schema)
        {
            field = field.Trim();
            if (field.IsEmpty)
            {
                return;
            }

            _seen = true;
            _notNumeric = _notNumeric || !CsvDataSource.TryParse(DataColumnKind.Numeric, field, schema, out _, out _);
            _notBoolean = _notBoolean || !CsvDataSource.TryParse(DataColumnKind.Boolean, field, schema, out _, out _);
            _notDateTime = _notDateTime || !CsvDataSource.TryParse(DataColumnKind.DateTime, field, schema, out _, out _);
        }
    }
}
