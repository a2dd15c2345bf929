using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>Typed reads of one column through a cursor, shared by profiling and drift.</summary>
internal static class ColumnReaders
{
    /// <summary>Reads the column's value into <paramref name="use"/> each time the returned action runs.</summary>
    public static Action Each<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Action<T> use)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            use(value);
        };
    }

    /// <summary>Reads a numeric or date-time column as a double (a date-time as seconds since 1970; an unset one as NaN).</summary>
    public static Action Number(DataViewRowCursor cursor, DataViewSchema.Column column, Action<double> use)
    {
        var type = column.Type;
        return type == DateTimeDataViewType.Instance ? Each<DateTime>(cursor, column, t => use(t == default ? double.NaN : Seconds(t)))
            : type == NumberDataViewType.Single ? Each<float>(cursor, column, v => use(v))
            : type == NumberDataViewType.Double ? Each(cursor, column, use)
            : type == NumberDataViewType.Int32 ? Each<int>(cursor, column, v => use(v))
            : Each<long>(cursor, column, v => use(v));
    }

    public static double Seconds(DateTime time) => (time - DateTime.UnixEpoch).TotalSeconds;
}
