namespace ModelRetraining;

/// <summary>Reads a data set for a run.</summary>
public interface IDataSource : ICapabilityProvider
{
    /// <summary>Gets a name that identifies the data set in reports and errors (a file path, a table).</summary>
    string Name { get; }

    /// <summary>Reads the data set.</summary>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rows with their schema and fingerprint.</returns>
    ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default);
}
