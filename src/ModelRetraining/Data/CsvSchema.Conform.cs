using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

// A snapshot read by a source that knows nothing of the schema (a Parquet body, an added format) made into
// what the CSV reader would have made: the declared columns in declared order, derived ones computed.
public sealed partial class CsvSchema
{
    /// <summary>
    /// Makes <paramref name="snapshot"/> hold exactly this schema's columns, in declared order: the read
    /// columns taken from it (extra ones dropped), the derived ones computed row by row as
    /// <see cref="CsvDataSource"/> computes them (a column the snapshot also carries under a derived name is
    /// computed all the same, as a CSV file's would be). So a batch in any format reads in one window with
    /// CSV ones, and serves with the same derivations.
    /// </summary>
    /// <param name="snapshot">The rows as read; every read column of this schema must be in it with its kind.</param>
    /// <param name="rowsBefore">Rows before these in a larger whole (an upload in parts): the row number a derivation sees.</param>
    /// <returns>A new snapshot with the rows' new fingerprint; its read issues and location are kept.</returns>
    /// <exception cref="InvalidDataException">A read column is missing or of another kind; the message names it.</exception>
    public DatasetSnapshot Conform(DatasetSnapshot snapshot, long rowsBefore = 0)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentOutOfRangeException.ThrowIfNegative(rowsBefore);
        var columns = Columns;
        var declared = columns.Select(c => new DataColumn(c.Name, c.Kind, c.IsDerived)).ToArray();
        var read = new DataViewSchema.Column?[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].IsDerived)
            {
                continue;
            }

            var found = snapshot.Schema.Find(columns[c].Name);
            if (found is null || found.Kind != columns[c].Kind || snapshot.Data.Schema.GetColumnOrNull(columns[c].Name) is not { } column)
            {
                throw new InvalidDataException($"Column '{columns[c].Name}' ({columns[c].Kind}) is {(found is null ? "missing from" : $"{found.Kind} in")} '{snapshot.Name}'.");
            }

            read[c] = column;
        }

        var index = columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var values = new object?[columns.Count];
        var row = new CsvRow(index, values);
        var hasDerived = columns.Any(c => c.IsDerived);
        var labelIndex = LabelColumn is null ? -1 : index[LabelColumn];
        long missingLabels = 0, firstMissingLabel = 0;
        var builder = new DatasetSnapshotBuilder(declared);
        using var cursor = snapshot.Data.GetRowCursor(read.OfType<DataViewSchema.Column>());
        var getters = read.Select((column, c) => column is { } present ? Getter(cursor, present, columns[c].Kind) : null).ToArray();
        while (cursor.MoveNext())
        {
            for (var c = 0; c < columns.Count; c++)
            {
                values[c] = getters[c]?.Invoke();
            }

            if (hasDerived)
            {
                // As in CSV: a derivation that reads a column derived after it sees it missing.
                row.RowNumber = rowsBefore + builder.Rows + 1;
                for (var c = 0; c < columns.Count; c++)
                {
                    if (columns[c].Compute is { } compute)
                    {
                        values[c] = compute(row);
                    }
                }
            }

            if (labelIndex >= 0 && values[labelIndex] is null or float.NaN or string { Length: 0 })
            {
                missingLabels++;
                firstMissingLabel = firstMissingLabel == 0 ? rowsBefore + builder.Rows + 1 : firstMissingLabel;
            }

            builder.Add(values);
        }

        var issues = snapshot.ReadIssues.ToList();
        if (missingLabels > 0)
        {
            issues.Add(CsvDataSource.MissingLabels(LabelColumn!, snapshot.Name, missingLabels, firstMissingLabel, snapshot.Location));
        }

        return builder.Build(snapshot.Name, LabelColumn, TimeColumn, issues, snapshot.Location) with { DeclaredSchema = ToDataSchema() };
    }

    // One column's value of the cursor's row as the derived-column API sees it (a missing time is null).
    private static Func<object?> Getter(DataViewRowCursor cursor, DataViewSchema.Column column, DataColumnKind kind) => kind switch
    {
        DataColumnKind.Numeric => Boxed<float>(cursor, column, v => v),
        DataColumnKind.Boolean => Boxed<bool>(cursor, column, v => v),
        DataColumnKind.DateTime => Boxed<DateTime>(cursor, column, v => v == default ? null : v),
        _ => Boxed<ReadOnlyMemory<char>>(cursor, column, v => v.ToString()),
    };

    private static Func<object?> Boxed<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, object?> box)
    {
        var get = cursor.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            get(ref value);
            return box(value);
        };
    }
}
