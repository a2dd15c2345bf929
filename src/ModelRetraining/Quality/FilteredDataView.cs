using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>A data view without some rows (quarantined ones), by position; everything else passes through.</summary>
internal sealed class FilteredDataView(IDataView inner, IReadOnlySet<long> excluded) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount() is { } n ? n - excluded.Count : null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(inner.GetRowCursor(columnsNeeded), excluded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded)];

    private sealed class Cursor(DataViewRowCursor inner, IReadOnlySet<long> excluded) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => inner.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            while (inner.MoveNext())
            {
                if (!excluded.Contains(inner.Position))
                {
                    _position++;
                    return true;
                }
            }

            return false;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
