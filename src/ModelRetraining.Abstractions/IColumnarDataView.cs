using Microsoft.ML;

namespace ModelRetraining;

/// <summary>
/// An <see cref="IDataView"/> that holds each column as one array, so profilers and drift tests can read
/// a column without a cursor. Sources that load data into memory should implement it.
/// </summary>
public interface IColumnarDataView : IDataView
{
    /// <summary>Gets a column's values, when the column is held as an array of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The element type (float, bool, DateTime, ReadOnlyMemory&lt;char&gt;).</typeparam>
    /// <param name="columnIndex">The column's index in <see cref="IDataView.Schema"/>.</param>
    /// <param name="values">The values, one per row.</param>
    /// <returns><see langword="true"/> when the column is available that way.</returns>
    bool TryGetColumn<T>(int columnIndex, out ReadOnlyMemory<T> values);
}
