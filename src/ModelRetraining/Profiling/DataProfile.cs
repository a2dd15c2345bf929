using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>
/// The profile of a data set: one <see cref="ColumnProfile"/> per column, built in one streaming pass
/// with bounded memory. Profiles of chunks or partitions merge into the profile of the whole; a
/// profile serializes to JSON and is stored with each model version as the reference for drift checks,
/// so the raw training data need not be kept.
/// </summary>
public sealed class DataProfile
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private readonly Dictionary<string, ColumnProfile> _columns;

    private DataProfile(long rowCount, Dictionary<string, ColumnProfile> columns)
    {
        RowCount = rowCount;
        _columns = columns;
    }

    /// <summary>Gets the number of rows profiled.</summary>
    public long RowCount { get; private set; }

    /// <summary>Gets the column profiles by name, in schema order.</summary>
    public IReadOnlyList<ColumnProfile> Columns => _columns.Values.ToArray();

    /// <summary>Gets a column's profile.</summary>
    /// <param name="name">The column.</param>
    /// <returns>The profile, or <see langword="null"/> when the profile has no such column.</returns>
    public ColumnProfile? this[string name] => _columns.GetValueOrDefault(name);

    /// <summary>Profiles every scalar numeric, Boolean, text and date-time column of a data view in one pass.</summary>
    /// <param name="data">The rows.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>The profile.</returns>
    public static DataProfile Create(IDataView data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var profile = new DataProfile(0, new Dictionary<string, ColumnProfile>(StringComparer.Ordinal));
        profile.Add(data, cancellationToken);
        return profile;
    }

    /// <summary>
    /// Adds more rows to this profile's sketches, as if they had come in the same pass (the
    /// builder's path: sketches that keep growing sample long streams, which fresh ones per chunk
    /// would not). A column new to the profile is added; one whose type changed is refused.
    /// </summary>
    internal void Add(IDataView data, CancellationToken cancellationToken)
    {
        // Every column's type is checked before anything is added, so a refused chunk changes nothing.
        var chosen = new List<(DataViewSchema.Column Column, DataColumnKind Kind)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in data.Schema)
        {
            if (column.IsHidden || KindOf(column.Type) is not { } kind || !seen.Add(column.Name))
            {
                continue;
            }

            if (_columns.TryGetValue(column.Name, out var existing) && existing.Kind != kind)
            {
                throw new InvalidOperationException($"Column '{column.Name}' is {existing.Kind} in the profile and {kind} in the new rows; a column must keep its type from chunk to chunk.");
            }

            chosen.Add((column, kind));
        }

        var selected = new List<(DataViewSchema.Column Column, ColumnProfile Profile)>(chosen.Count);
        foreach (var (column, kind) in chosen)
        {
            if (!_columns.TryGetValue(column.Name, out var profile))
            {
                profile = _columns[column.Name] = new ColumnProfile(column.Name, kind);
            }

            selected.Add((column, profile));
        }

        if (data is IColumnarDataView columnar && ColumnarReads(columnar, selected) is var (reads, rows))
        {
            // Columns are independent: with more than one, they are profiled on the pool side by side.
            var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = reads.Length > 1 ? Environment.ProcessorCount : 1 };
            Parallel.ForEach(reads, options, read => read());
            RowCount += rows;
            return;
        }

        long count = 0;
        using var cursor = data.GetRowCursor(selected.Select(s => s.Column));
        var readers = selected.Select(s => Reader(cursor, s.Column, s.Profile.Kind, s.Profile)).ToArray();
        while (cursor.MoveNext())
        {
            count++;
            if ((count & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            foreach (var read in readers)
            {
                read();
            }
        }

        RowCount += count;
    }

    /// <summary>Combines this profile with the profile of more rows of the same columns (another chunk or partition).</summary>
    /// <param name="other">The other profile.</param>
    /// <returns>A new profile of all rows; both inputs are unchanged.</returns>
    public DataProfile Merge(DataProfile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = FromJson(ToJson());
        merged.MergeInPlace(FromJson(other.ToJson()));
        return merged;
    }

    internal void MergeInPlace(DataProfile other)
    {
        foreach (var column in other.Columns)
        {
            if (_columns.TryGetValue(column.Name, out var existing))
            {
                existing.Merge(column);
            }
            else
            {
                _columns[column.Name] = column;
            }
        }

        RowCount += other.RowCount;
    }

    /// <summary>Serializes the profile, sketches included, as JSON with stable field names.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(new ProfileDocument(1, RowCount, _columns.Values.Select(c => c.ToState()).ToArray()), Json);

    /// <summary>Reads a profile written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="InvalidDataException">The text is not a profile.</exception>
    public static DataProfile FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ProfileDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<ProfileDocument>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The text is not a data profile: {ex.Message}", ex);
        }

        if (document is null || document.Version != 1)
        {
            throw new InvalidDataException($"The text is not a version-1 data profile (version {document?.Version}).");
        }

        return new DataProfile(document.RowCount, document.Columns.ToDictionary(c => c.Name, ColumnProfile.FromState, StringComparer.Ordinal));
    }

    internal static DataColumnKind? KindOf(DataViewType type) => type switch
    {
        _ when type == NumberDataViewType.Single || type == NumberDataViewType.Double || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64 => DataColumnKind.Numeric,
        TextDataViewType => DataColumnKind.Text,
        BooleanDataViewType => DataColumnKind.Boolean,
        DateTimeDataViewType => DataColumnKind.DateTime,
        _ => null,
    };

    // One action per column reading its whole array, or null when a column is not held as one.
    private static (Action[] Reads, long Rows)? ColumnarReads(IColumnarDataView data, List<(DataViewSchema.Column Column, ColumnProfile Profile)> selected)
    {
        var reads = new Action[selected.Count];
        long rows = data.GetRowCount() ?? -1;
        for (var i = 0; i < selected.Count; i++)
        {
            var (column, profile) = selected[i];
            (Action? read, rows) = profile.Kind switch
            {
                DataColumnKind.Numeric when data.TryGetColumn<float>(column.Index, out var floats) => ((Action)(() => profile.AddNumeric(floats.Span)), floats.Length),
                DataColumnKind.Text when data.TryGetColumn<ReadOnlyMemory<char>>(column.Index, out var texts) => (() => AddTexts(profile, texts.Span), texts.Length),
                DataColumnKind.Boolean when data.TryGetColumn<bool>(column.Index, out var flags) => (() => AddFlags(profile, flags.Span), flags.Length),
                DataColumnKind.DateTime when data.TryGetColumn<DateTime>(column.Index, out var times) => (() => AddTimes(profile, times.Span), times.Length),
                _ => ((Action?)null, -1L),
            };

            if (read is null)
            {
                return null;
            }

            reads[i] = read;
        }

        return rows < 0 ? null : (reads, rows);
    }

    private static void AddTexts(ColumnProfile profile, ReadOnlySpan<ReadOnlyMemory<char>> texts)
    {
        foreach (var text in texts)
        {
            profile.AddText(text.Span, MemoryMarshal.TryGetString(text, out var whole, out var start, out var length) && start == 0 && length == whole.Length ? whole : null);
        }
    }

    private static void AddFlags(ColumnProfile profile, ReadOnlySpan<bool> flags)
    {
        foreach (var flag in flags)
        {
            profile.AddText(flag ? "true" : "false", flag ? "true" : "false");
        }
    }

    private static void AddTimes(ColumnProfile profile, ReadOnlySpan<DateTime> times)
    {
        foreach (var time in times)
        {
            profile.AddNumeric(time == default ? double.NaN : ColumnReaders.Seconds(time));
        }
    }

    private static Action Reader(DataViewRowCursor cursor, DataViewSchema.Column column, DataColumnKind kind, ColumnProfile profile) => kind switch
    {
        DataColumnKind.Numeric or DataColumnKind.DateTime => ColumnReaders.Number(cursor, column, profile.AddNumeric),
        DataColumnKind.Text => ColumnReaders.Each<ReadOnlyMemory<char>>(cursor, column, value => profile.AddText(value.Span)),
        _ => ColumnReaders.Each<bool>(cursor, column, flag => profile.AddText(flag ? "true" : "false", flag ? "true" : "false")),
    };

    private sealed record ProfileDocument(int Version, long RowCount, ColumnProfileState[] Columns);
}
