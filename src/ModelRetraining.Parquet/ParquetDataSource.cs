using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace ModelRetraining.Parquet;

/// <summary>
/// A Parquet file, or every <c>*.parquet</c> file of a folder (in name order, one schema), as a data source:
/// read row group by row group (one group's columns in memory at a time, besides the snapshot being built),
/// with Parquet's types mapped to the pipeline's kinds — integers, floats and decimals to numeric, strings
/// to text, Booleans, and timestamps and dates to UTC date-times. A column of another type (binary, a list,
/// a map, a nested group) is refused naming it; a truncated or damaged file is refused naming it.
/// </summary>
public sealed class ParquetDataSource : IDataSource
{
    private readonly string _path;
    private readonly string? _labelColumn;
    private readonly string? _timeColumn;

    private ParquetDataSource(string path, string? labelColumn, string? timeColumn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        (_path, _labelColumn, _timeColumn) = (path, labelColumn, timeColumn);
    }

    /// <inheritdoc />
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(_path));

    /// <summary>Creates a source for a Parquet file or a folder of them. Nothing is opened until a run loads it.</summary>
    /// <param name="path">A <c>.parquet</c> file, or a folder whose <c>*.parquet</c> files are read in name order.</param>
    /// <param name="labelColumn">The label column, if any.</param>
    /// <param name="timeColumn">The time column, if any.</param>
    /// <returns>The source.</returns>
    public static ParquetDataSource FromPath(string path, string? labelColumn = null, string? timeColumn = null) => new(path, labelColumn, timeColumn);

    /// <inheritdoc />
    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var files = Files();
        DatasetSnapshotBuilder? builder = null;
        (DataField Field, DataColumnKind Kind)[]? columns = null;
        foreach (var file in files)
        {
            var stream = File.OpenRead(file);
            await using (stream.ConfigureAwait(false))
            {
                ParquetReader reader;
                try
                {
                    reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
                {
                    throw new InvalidDataException($"'{Path.GetFileName(file)}' is not a readable Parquet file ({ex.Message}); nothing was read.", ex);
                }

                await using (reader.ConfigureAwait(false))
                {
                    var fileColumns = Columns(reader.Schema, file);
                    if (columns is null)
                    {
                        columns = fileColumns;
                        builder = new DatasetSnapshotBuilder([.. columns.Select(c => new DataColumn(c.Field.Name, c.Kind))]);
                        CheckRoles(columns);
                    }
                    else if (!fileColumns.Select(c => (c.Field.Name, c.Kind)).SequenceEqual(columns.Select(c => (c.Field.Name, c.Kind))))
                    {
                        throw new InvalidDataException($"'{Path.GetFileName(file)}' has columns {Describe(fileColumns)}, where '{Path.GetFileName(files[0])}' has {Describe(columns)}: the files of one data set need one schema.");
                    }

                    for (var g = 0; g < reader.RowGroupCount; g++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        await ReadGroupAsync(reader, g, file, columns, builder!, cancellationToken).ConfigureAwait(false);
                        context.Progress?.Report(new RetrainingProgress(RetrainingStage.Ingesting, (Array.IndexOf(files, file) + ((g + 1.0) / reader.RowGroupCount)) / files.Length, $"{Path.GetFileName(file)}: row group {g + 1} of {reader.RowGroupCount} read") { Source = Name });
                    }
                }
            }
        }

        return builder!.Build(Name, _labelColumn, _timeColumn, [], Path.GetFullPath(_path));
    }

    private string[] Files()
    {
        if (Directory.Exists(_path))
        {
            var files = Directory.GetFiles(_path, "*.parquet").Order(StringComparer.Ordinal).ToArray();
            return files.Length > 0 ? files : throw new FileNotFoundException($"Folder '{Path.GetFullPath(_path)}' holds no .parquet file.", _path);
        }

        return File.Exists(_path) ? [_path] : throw new FileNotFoundException($"Data file '{Path.GetFullPath(_path)}' does not exist.", _path);
    }

    private void CheckRoles((DataField Field, DataColumnKind Kind)[] columns)
    {
        foreach (var (what, column) in new[] { ("label", _labelColumn), ("time", _timeColumn) })
        {
            if (column is not null && !columns.Any(c => c.Field.Name == column))
            {
                throw new InvalidDataException($"The {what} column '{column}' is not a column of '{Name}' (its columns: {string.Join(", ", columns.Select(c => c.Field.Name))}).");
            }
        }
    }

    private static string Describe((DataField Field, DataColumnKind Kind)[] columns) => string.Join(", ", columns.Select(c => $"{c.Field.Name} ({c.Kind})"));

    private static (DataField Field, DataColumnKind Kind)[] Columns(ParquetSchema schema, string file)
    {
        var problems = new List<string>();
        var columns = new List<(DataField Field, DataColumnKind Kind)>();
        if (schema.Fields.Count != schema.DataFields.Length)
        {
            problems.AddRange(schema.Fields.Where(f => f is not DataField).Select(f => $"'{f.Name}' is a {f.SchemaType}"));
        }

        foreach (var field in schema.DataFields)
        {
            var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
            DataColumnKind? kind = field.IsArray ? null
                : type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? DataColumnKind.Text
                : type == typeof(bool) ? DataColumnKind.Boolean
                : type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) ? DataColumnKind.DateTime
                : type == typeof(float) || type == typeof(double) || type == typeof(decimal) || type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) ? DataColumnKind.Numeric
                : null;
            if (kind is { } k && field.Path.ToList().Count == 1)
            {
                columns.Add((field, k));
            }
            else if (!problems.Any(p => p.StartsWith($"'{field.Path.ToList()[0]}'", StringComparison.Ordinal)))
            {
                var typeName = type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) ? "binary" : type.Name;
                problems.Add($"'{field.Name}' is {(field.IsArray ? "a list of " : string.Empty)}{typeName}");
            }
        }

        return problems.Count > 0
            ? throw new InvalidDataException($"'{Path.GetFileName(file)}' has columns of types no column can hold ({string.Join("; ", problems)}); nothing was read.")
            : [.. columns];
    }

    private static async Task ReadGroupAsync(ParquetReader reader, int group, string file, (DataField Field, DataColumnKind Kind)[] columns, DatasetSnapshotBuilder builder, CancellationToken cancellationToken)
    {
        using var rowGroup = reader.OpenRowGroupReader(group);
        var rows = checked((int)rowGroup.RowCount);
        var values = new Array[columns.Length];
        try
        {
            for (var c = 0; c < columns.Length; c++)
            {
                values[c] = await ReadColumnAsync(rowGroup, columns[c].Field, rows, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or IndexOutOfRangeException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"Row group {group + 1} of '{Path.GetFileName(file)}' cannot be read ({ex.Message}): the file is truncated or damaged; nothing was read.", ex);
        }

        builder.AddColumns(rows, values);
    }

    // One column of one row group, typed as the snapshot keeps it (no object per value): numbers as float
    // (NaN for null), text as strings, flags and times as nullables, times in UTC.
    private static async Task<Array> ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var text = new string?[rows];
            await rowGroup.ReadAsync(field, text.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            return text;
        }

        return type switch
        {
            _ when type == typeof(bool) => await Nullables<bool, bool>(rowGroup, field, rows, v => v, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateTime) => await Nullables<DateTime, DateTime>(rowGroup, field, rows, v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateTimeOffset) => await Nullables<DateTimeOffset, DateTime>(rowGroup, field, rows, v => v.UtcDateTime, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(DateOnly) => await Nullables<DateOnly, DateTime>(rowGroup, field, rows, v => v.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), cancellationToken).ConfigureAwait(false),
            _ when type == typeof(double) => await Numbers<double>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(float) => await Numbers<float>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(decimal) => await Numbers<decimal>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(long) => await Numbers<long>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(int) => await Numbers<int>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(short) => await Numbers<short>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(byte) => await Numbers<byte>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(sbyte) => await Numbers<sbyte>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(uint) => await Numbers<uint>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ when type == typeof(ulong) => await Numbers<ulong>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
            _ => await Numbers<ushort>(rowGroup, field, rows, cancellationToken).ConfigureAwait(false),
        };
    }

    // Numbers of any width as float, as a cast would (CreateTruncating is the cast for every numeric type).
    private static async Task<Array> Numbers<T>(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken cancellationToken)
        where T : struct, INumberBase<T>
    {
        var result = new float[rows];
        if (field.IsNullable)
        {
            var read = new T?[rows];
            await rowGroup.ReadAsync(field, read.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < rows; i++)
            {
                result[i] = read[i] is { } v ? float.CreateTruncating(v) : float.NaN;
            }
        }
        else if (result is T[] floats)
        {
            await rowGroup.ReadAsync(field, floats.AsMemory(), null, cancellationToken).ConfigureAwait(false); // floats already: read in place
        }
        else
        {
            var read = new T[rows];
            await rowGroup.ReadAsync(field, read.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < rows; i++)
            {
                result[i] = float.CreateTruncating(read[i]);
            }
        }

        return result;
    }

    private static async Task<Array> Nullables<T, TOut>(ParquetRowGroupReader rowGroup, DataField field, int rows, Func<T, TOut> convert, CancellationToken cancellationToken)
        where T : struct
        where TOut : struct
    {
        var result = new TOut?[rows];
        if (field.IsNullable)
        {
            var read = new T?[rows];
            await rowGroup.ReadAsync(field, read.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < rows; i++)
            {
                result[i] = read[i] is { } v ? convert(v) : null;
            }
        }
        else
        {
            var read = new T[rows];
            await rowGroup.ReadAsync(field, read.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < rows; i++)
            {
                result[i] = convert(read[i]);
            }
        }

        return result;
    }
}
