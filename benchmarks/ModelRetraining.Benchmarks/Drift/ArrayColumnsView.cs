using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Benchmarks;

/// <summary>Columns held as arrays (float by default, or the type given), exposed column-wise as the CSV source's view is, for profiling and drift benchmarks.</summary>
internal sealed class ArrayColumnsView(string[] names, Array[] columns, int rows, DataViewType? type = null) : IColumnarDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = Build(names, type ?? NumberDataViewType.Single);

    public long? GetRowCount() => rows;

    public bool TryGetColumn<T>(int columnIndex, out ReadOnlyMemory<T> values)
    {
        if (columns[columnIndex] is T[] array)
        {
            values = array.AsMemory(0, rows);
            return true;
        }

        values = default;
        return false;
    }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => throw new NotSupportedException("Read the columns with TryGetColumn.");

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => throw new NotSupportedException("Read the columns with TryGetColumn.");

    private static DataViewSchema Build(string[] names, DataViewType type)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var name in names)
        {
            builder.AddColumn(name, type);
        }

        return builder.ToSchema();
    }
}
