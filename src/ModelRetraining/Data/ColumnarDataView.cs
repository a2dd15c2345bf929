using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>
/// An in-memory, column-major <see cref="IDataView"/>: one array per column. Reading a CSV once into
/// this gives exact row and column error messages, time-window filtering and a content fingerprint in
/// a single pass, and ML.NET trainers then read it as fast as a cached view.
/// </summary>
internal sealed class ColumnarDataView : IColumnarDataView
{
    private readonly Array[] _columns;
    private readonly int _rowCount;

    public ColumnarDataView(IReadOnlyList<(string Name, DataColumnKind Kind, Array Values)> columns, int rowCount)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var (name, kind, _) in columns)
        {
            builder.AddColumn(name, kind switch
            {
                DataColumnKind.Numeric => NumberDataViewType.Single,
                DataColumnKind.Text => TextDataViewType.Instance,
                DataColumnKind.Boolean => BooleanDataViewType.Instance,
                DataColumnKind.DateTime => DateTimeDataViewType.Instance,
                _ => throw new ArgumentOutOfRangeException(nameof(columns), kind, "Unknown column kind."),
            });
        }

        Schema = builder.ToSchema();
        _columns = columns.Select(c => c.Values).ToArray();
        _rowCount = rowCount;
    }

    public bool CanShuffle => false;

    public bool TryGetColumn<T>(int columnIndex, out ReadOnlyMemory<T> values)
    {
        if (columnIndex >= 0 && columnIndex < _columns.Length && _columns[columnIndex] is T[] array)
        {
            values = array.AsMemory(0, _rowCount);
            return true;
        }

        values = default;
        return false;
    }

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [new Cursor(this, columnsNeeded)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ColumnarDataView _view;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(ColumnarDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _view = view;
            _active = new bool[view.Schema.Count];
            foreach (var column in columnsNeeded)
            {
                _active[column.Index] = true;
            }
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 < _view._rowCount)
            {
                _position++;
                return true;
            }

            _position = _view._rowCount;
            return false;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
            }

            if (_view._columns[column.Index] is not TValue[] values)
            {
                throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
            }

            return (ref TValue value) => value = values[_position];
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];
    }
}
