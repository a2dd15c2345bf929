namespace ModelRetraining;

/// <summary>
/// Requests about runs (cancel, resume) from operators to hosts, kept beside the run journal. The embedded,
/// PostgreSQL and in-memory registries implement it (<see cref="ICapabilityProvider.GetService"/>). At most one
/// request of each kind is open per run; filing and closing are audited with the run as subject.
/// </summary>
public interface IRunRequestStore
{
    /// <summary>Files a request. When one of the same kind is already open for the run, that one is returned and nothing changes.</summary>
    /// <param name="request">The request; <see cref="RunRequest.ClosedAt"/> and <see cref="RunRequest.Outcome"/> are ignored.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The open request: this one, or the one already open.</returns>
    ValueTask<RunRequest> RequestAsync(RunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads the open request of a kind for a run.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="kind">Cancel or resume.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The request, or <see langword="null"/> when none is open.</returns>
    ValueTask<RunRequest?> GetOpenRequestAsync(string runId, RunRequestKind kind, CancellationToken cancellationToken = default);

    /// <summary>Lists a model's open requests, oldest first.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The open requests.</returns>
    IAsyncEnumerable<RunRequest> ListOpenRequestsAsync(string modelName, CancellationToken cancellationToken = default);

    /// <summary>Closes the open request of a kind for a run with what was done; of two hosts closing it, one does.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="kind">Cancel or resume.</param>
    /// <param name="outcome">What was done, for people.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The closed request, or <see langword="null"/> when none was open (another host closed it).</returns>
    ValueTask<RunRequest?> CloseRequestAsync(string runId, RunRequestKind kind, string outcome, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Reads every request about a run, open and closed, oldest first.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The requests.</returns>
    IAsyncEnumerable<RunRequest> ReadRequestsAsync(string runId, CancellationToken cancellationToken = default);
}
