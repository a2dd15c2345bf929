using Microsoft.ML;

namespace ModelRetraining;

/// <summary>
/// Builds one profile from a stream of chunks (files, partitions, batches) with bounded memory: each
/// chunk is read once and dropped; only the sketches stay. <c>builder.Add(chunk)</c> for every chunk,
/// then <see cref="Build"/>.
/// </summary>
public sealed class DataProfileBuilder
{
    private DataProfile? _profile;

    /// <summary>Gets the number of rows added so far.</summary>
    public long RowCount => _profile?.RowCount ?? 0;

    /// <summary>
    /// Adds a chunk of rows to the same sketches (long streams are sampled, as in one pass); its
    /// columns must keep their types from chunk to chunk. A chunk whose column changed type is refused
    /// before anything is added; a cancelled one may have been added in part, so start a new builder.
    /// </summary>
    /// <param name="chunk">The rows.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>This builder.</returns>
    public DataProfileBuilder Add(IDataView chunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (_profile is null)
        {
            _profile = DataProfile.Create(chunk, cancellationToken);
        }
        else
        {
            _profile.Add(chunk, cancellationToken);
        }

        return this;
    }

    /// <summary>Returns the profile of every row added.</summary>
    /// <returns>The profile (empty when nothing was added).</returns>
    public DataProfile Build() => _profile is null ? DataProfile.FromJson("{\"Version\":1,\"RowCount\":0,\"Columns\":[]}") : DataProfile.FromJson(_profile.ToJson());
}
