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

    /// <summary>Adds a chunk of rows; its columns must keep their types from chunk to chunk.</summary>
    /// <param name="chunk">The rows.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>This builder.</returns>
    public DataProfileBuilder Add(IDataView chunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var profile = DataProfile.Create(chunk, cancellationToken);
        if (_profile is null)
        {
            _profile = profile;
        }
        else
        {
            _profile.MergeInPlace(profile);
        }

        return this;
    }

    /// <summary>Returns the profile of every row added.</summary>
    /// <returns>The profile (empty when nothing was added).</returns>
    public DataProfile Build() => _profile is null ? DataProfile.FromJson("{\"Version\":1,\"RowCount\":0,\"Columns\":[]}") : DataProfile.FromJson(_profile.ToJson());
}
