using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>
/// Keeps a running attempt's claim alive: renews it every quarter of the run lease, and cancels the attempt the
/// moment it is no longer the run's holder — another attempt took the run over, or no renewal got through for
/// half a lease (this node lost the database, or stalled; another machine may resume the run once a whole lease
/// has passed, so the half is the margin for slow calls and clock skew). Each renewal is bounded by a quarter
/// of the lease. The attempt then stops without writing: the run belongs to whoever holds the claim.
/// With each renewal it also looks for an operator's cancel request (<see cref="IRunRequestStore"/>): the
/// attempt is then cancelled, and it journals itself <see cref="RunJournalStatus.Cancelled"/> as the holder.
/// </summary>
internal sealed partial class RunLeaseKeeper : IAsyncDisposable
{
    private readonly IRunJournal _journal;
    private readonly IRunRequestStore? _requests;
    private readonly RunClaim _claim;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost;
    private readonly CancellationTokenSource _cancelled;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationTokenSource _fenced;
    private readonly Task _renewing;
    private volatile string? _lostReason;
    private volatile RunRequest? _cancelRequest;

    private RunLeaseKeeper(IRunJournal journal, IRunRequestStore? requests, RunClaim claim, TimeSpan lease, TimeProvider time, ILogger logger, CancellationToken runToken)
    {
        _journal = journal;
        _requests = requests;
        _claim = claim;
        _lease = lease;
        _time = time;
        _logger = logger;
        _lost = new CancellationTokenSource();
        _cancelled = new CancellationTokenSource();
        _linked = CancellationTokenSource.CreateLinkedTokenSource(runToken, _lost.Token, _cancelled.Token);
        _fenced = CancellationTokenSource.CreateLinkedTokenSource(runToken, _lost.Token);
        _renewing = RenewAsync();
    }

    /// <summary>Gets the token the attempt runs under: the caller's, cancelled too when the claim is lost or an operator asks.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>
    /// Gets the token of the stages that cannot be undone once begun (registering, promoting): the caller's and
    /// the lost claim's, not an operator's cancel, which is honoured before such a stage starts instead; so a
    /// run never says Cancelled after it moved the alias.
    /// </summary>
    public CancellationToken FinalStageToken => _fenced.Token;

    /// <summary>Gets why the claim was lost, or <see langword="null"/> while it is held.</summary>
    public string? LostReason => _lostReason;

    /// <summary>Gets the operator's request that cancelled the attempt, or <see langword="null"/> when none did.</summary>
    public RunRequest? CancelRequest => _cancelRequest;

    public static RunLeaseKeeper Start(IRunJournal journal, IRunRequestStore? requests, RunClaim claim, TimeSpan lease, TimeProvider time, ILogger logger, CancellationToken runToken)
        => new(journal, requests, claim, lease, time, logger, runToken);

    /// <summary>Cancels the attempt for an operator's request (found here, or by the pipeline between stages).</summary>
    /// <param name="request">The request.</param>
    public void CancelFor(RunRequest request)
    {
        _cancelRequest ??= request;
        _cancelled.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await _lost.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewing.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || _lost.IsCancellationRequested)
        {
            // the loop ends by cancellation (a renewal cut short may surface as the store's own error)
        }

        _linked.Dispose();
        _fenced.Dispose();
        _cancelled.Dispose();
        _lost.Dispose();
    }

    private async Task RenewAsync()
    {
        var lastRenewed = _time.GetUtcNow();
        using var timer = new PeriodicTimer(_lease / 4, _time);
        while (await timer.WaitForNextTickAsync(_lost.Token).ConfigureAwait(false))
        {
            var now = _time.GetUtcNow();
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_lost.Token);
                bounded.CancelAfter(_lease / 4);
                if (!await _journal.RenewClaimAsync(_claim with { At = now }, bounded.Token).ConfigureAwait(false))
                {
                    var holder = await _journal.GetClaimAsync(_claim.RunId, _lost.Token).ConfigureAwait(false);
                    Lose($"Run {_claim.RunId} of '{_claim.ModelName}' was taken over by {holder?.Holder ?? "another attempt"} (attempt {holder?.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}); attempt {_claim.Attempt} stopped without writing.");
                    return;
                }

                lastRenewed = now;
                if (_cancelRequest is null && _requests is not null && await _requests.GetOpenRequestAsync(_claim.RunId, RunRequestKind.Cancel, bounded.Token).ConfigureAwait(false) is { } cancel)
                {
                    CancelFor(cancel); // renewals go on: the attempt still holds the run until it has journaled the cancel
                }
            }
            catch (Exception ex) when (!_lost.IsCancellationRequested)
            {
                // A failed or timed-out renewal (any exception but this keeper's own stop).
                LogRenewFailed(_logger, ex, _claim.RunId, _claim.ModelName);
                if (_time.GetUtcNow() - lastRenewed >= _lease / 2)
                {
                    Lose($"Run {_claim.RunId} of '{_claim.ModelName}': its claim could not be renewed for {_time.GetUtcNow() - lastRenewed} (half the run lease of {_lease}); attempt {_claim.Attempt} stopped without writing, as another machine may resume it. Cause: {ex.Message}");
                    return;
                }
            }
        }
    }

    private void Lose(string reason)
    {
        _lostReason = reason;
        _lost.Cancel();
    }

    [LoggerMessage(EventId = 1190, Level = LogLevel.Warning, Message = "Could not renew the claim of run {RunId} of '{ModelName}'; the run goes on until its lease runs out.")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string runId, string modelName);
}
