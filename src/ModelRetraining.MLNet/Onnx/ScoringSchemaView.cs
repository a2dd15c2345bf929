using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.MLNet;

/// <summary>
/// A row-less data view with only the columns a scoring request carries. The ONNX converter reads the
/// input schema from the root of the data view's chain, so dropping columns with a transform is not enough.
/// </summary>
internal sealed class ScoringSchemaView : IDataView
{
    public ScoringSchemaView(DataViewSchema source, Func<DataViewSchema.Column, bool> keep)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in source.Where(c => !c.IsHidden && keep(c)))
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        }

        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new EmptyCursor(Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new EmptyCursor(Schema)];

    private sealed class EmptyCursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;

        public override long Position => -1;

        public override long Batch => 0;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => (ref TValue value) => throw new InvalidOperationException("The scoring schema view has no rows.");

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => throw new InvalidOperationException("The scoring schema view has no rows.");

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext() => false;
    }
}
