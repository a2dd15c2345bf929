using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.AspNetCore;

/// <summary>
/// A snapshot read in a format that brings its own columns (Parquet), cut to the dataset's declared columns
/// in their declared order, so its batch has the schema of the dataset's CSV and JSON Lines batches and
/// reads in one window with them. The fingerprint is recomputed from the kept values.
/// </summary>
internal static class DeclaredColumns
{
    public static DatasetSnapshot Project(DatasetSnapshot snapshot, CsvSchema schema)
    {
        var columns = schema.Columns.Select(c => new DataColumn(c.Name, c.Kind, c.IsDerived)).ToArray();
        var schemaColumns = columns.Select(c => snapshot.Data.Schema[c.Name]).ToArray();
        var builder = new DatasetSnapshotBuilder(columns);
        using var cursor = snapshot.Data.GetRowCursor(schemaColumns);
        var getters = columns.Select((c, i) => Getter(cursor, schemaColumns[i], c.Kind)).ToArray();
        var values = new object?[columns.Length];
        while (cursor.MoveNext())
        {
            for (var c = 0; c < getters.Length; c++)
            {
                values[c] = getters[c]();
            }

            builder.Add(values);
        }

        return builder.Build(snapshot.Name, schema.LabelColumn, schema.TimeColumn, snapshot.ReadIssues, snapshot.Location) with { DeclaredSchema = schema.ToDataSchema() };
    }

    private static Func<object?> Getter(DataViewRowCursor cursor, DataViewSchema.Column column, DataColumnKind kind)
    {
        switch (kind)
        {
            case DataColumnKind.Numeric:
            {
                var get = cursor.GetGetter<float>(column);
                return () =>
                {
                    float value = default;
                    get(ref value);
                    return value;
                };
            }

            case DataColumnKind.Boolean:
            {
                var get = cursor.GetGetter<bool>(column);
                return () =>
                {
                    bool value = default;
                    get(ref value);
                    return value;
                };
            }

            case DataColumnKind.DateTime:
            {
                var get = cursor.GetGetter<DateTime>(column);
                return () =>
                {
                    DateTime value = default;
                    get(ref value);
                    return value == default ? null : value;
                };
            }

            default:
            {
                var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                return () =>
                {
                    ReadOnlyMemory<char> value = default;
                    get(ref value);
                    return value.ToString();
                };
            }
        }
    }
}
