using ModelRetraining.Parquet;

namespace ModelRetraining.Cli;

/// <summary>
/// Reads the data files the drift and profile commands are given: Parquet (a <c>.parquet</c> file or a
/// folder of them) with its own types, CSV (<c>.csv</c>, <c>.csv.gz</c>, anything else) with a schema guessed
/// from the first file's first rows (<see cref="CsvSchema.Infer"/>) and corrected by options. Both files of a
/// drift comparison are read with the first one's schema, so a cell of the second that does not fit is
/// reported with its row and column instead of quietly changing the column's type.
/// </summary>
internal sealed class DataFiles(string? label, string? time, IReadOnlyList<string> text, IReadOnlyList<string> ignore, char separator)
{
    private CsvSchema? _schema;

    public static DataFiles FromOptions(CliArguments a)
    {
        var separator = a.Option("separator") switch
        {
            null => ',',
            "tab" or "\\t" => '\t',
            { Length: 1 } one => one[0],
            var other => throw new CliException(ExitCodes.Usage, $"--separator must be one character (or 'tab'); '{other}' is not."),
        };
        return new DataFiles(a.Option("label"), a.Option("time"), List(a.Option("text")), List(a.Option("ignore")), separator);
    }

    public static IReadOnlyList<string> List(string? value)
        => value is null ? [] : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Reads one file whole; a file with an Error-level read issue (a bad cell, a missing column) is refused with every such issue named.</summary>
    public async Task<DatasetSnapshot> ReadAsync(string path, IProgress<RetrainingProgress>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new CliException(ExitCodes.NotFound, $"Data file '{path}' does not exist.");
        }

        IDataSource source = IsParquet(path) ? ParquetSource(path) : CsvDataSource.FromFile(path, _schema ??= Schema(path));
        var context = new RetrainingContext("mrt", $"mrt-{Guid.NewGuid():N}", TimeProvider.System) { Actor = "mrt", Progress = progress };
        DatasetSnapshot snapshot;
        try
        {
            snapshot = await source.LoadAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(ExitCodes.Failed, ex.Message);
        }

        var errors = snapshot.ReadIssues.Where(i => i.Severity == ValidationSeverity.Error).ToArray();
        if (errors.Length > 0)
        {
            throw new CliException(ExitCodes.Failed, $"'{Path.GetFileName(path)}' cannot be read as the data it is compared with: {string.Join(" ", errors.Select(e => e.Message))} Nothing was written.");
        }

        return snapshot;
    }

    private static bool IsParquet(string path)
        => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || Directory.Exists(path);

    private ParquetDataSource ParquetSource(string path)
    {
        if (text.Count > 0 || ignore.Count > 0)
        {
            throw new CliException(ExitCodes.Usage, $"--text and --ignore apply to CSV files; '{Path.GetFileName(path)}' is Parquet, whose columns carry their own types.");
        }

        return ParquetDataSource.FromPath(path, label, time);
    }

    // The guess, then the options: each option must name a column of the header, so a typo is a usage error, not a column silently kept as guessed.
    private CsvSchema Schema(string path)
    {
        CsvSchema guessed;
        try
        {
            guessed = CsvSchema.Infer(path, separator);
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(ExitCodes.Failed, ex.Message);
        }

        var names = guessed.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var named = text.Select(t => ("text", t)).Concat(ignore.Select(i => ("ignore", i)));
        named = label is null ? named : named.Append(("label", label));
        named = time is null ? named : named.Append(("time", time));
        foreach (var (option, column) in named)
        {
            if (!names.Contains(column))
            {
                throw new CliException(ExitCodes.Usage, $"--{option} names '{column}', which is not a column of '{Path.GetFileName(path)}' (its columns: {string.Join(", ", names)}).");
            }
        }

        var schema = new CsvSchema { Separator = separator };
        foreach (var column in guessed.Columns)
        {
            _ = column.Name switch
            {
                var n when ignore.Contains(n) => schema.Ignore(n),
                var n when n == time => schema.Time(n),
                var n when text.Contains(n) => schema.Text(n),
                var n => column.Kind switch
                {
                    DataColumnKind.Numeric => schema.Numeric(n),
                    DataColumnKind.Boolean => schema.Boolean(n),
                    DataColumnKind.DateTime => schema.DateTime(n),
                    _ => schema.Text(n),
                },
            };
        }

        return label is null ? schema : schema.Label(label);
    }
}
