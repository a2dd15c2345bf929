using System.Globalization;

namespace ModelRetraining;

/// <summary>
/// Where people approve or reject versions that a gate left to them. A request is a row in the registry,
/// so nothing waits in memory; approving to quorum moves the champion alias from the version the run saw.
/// Every request, vote, rejection, expiry and escalation is recorded as an audit event (a tag change on
/// the version, by the person who acted).
/// </summary>
public sealed class ApprovalGateway
{
    private readonly IModelRegistry _registry;
    private readonly IApprovalStore _approvals;
    private readonly TimeProvider _timeProvider;
    private readonly Func<ApprovalRequest, string, bool> _authorize;

    /// <summary>Creates a gateway.</summary>
    /// <param name="registry">The registry whose champion alias an approval moves.</param>
    /// <param name="timeProvider">The clock for deadlines; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="authorize">Decides who may approve or reject which request; everyone when <see langword="null"/>.</param>
    /// <param name="approvals">The store holding the requests; the registry's own (the embedded and in-memory registries keep them) when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">No store is given and the registry keeps no approval requests.</exception>
    public ApprovalGateway(IModelRegistry registry, TimeProvider? timeProvider = null, Func<ApprovalRequest, string, bool>? authorize = null, IApprovalStore? approvals = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _approvals = approvals ?? StoreOf(registry);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _authorize = authorize ?? ((_, _) => true);
    }

    /// <summary>Approves a request; at quorum the version becomes champion.</summary>
    /// <param name="requestId">The request (the run id).</param>
    /// <param name="identity">Who approves.</param>
    /// <param name="comment">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request after the vote.</returns>
    /// <exception cref="KeyNotFoundException">No such request.</exception>
    /// <exception cref="UnauthorizedAccessException">The identity may not approve it (authorization hook, four-eyes).</exception>
    /// <exception cref="InvalidOperationException">The request is decided or expired, or this identity already voted.</exception>
    public ValueTask<ApprovalRequest> ApproveAsync(string requestId, string identity, string comment, CancellationToken cancellationToken = default)
        => VoteAsync(requestId, identity, comment, approve: true, cancellationToken);

    /// <summary>Rejects a request: the version stays registered and is never promoted by it.</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="identity">Who rejects.</param>
    /// <param name="comment">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rejected request.</returns>
    public ValueTask<ApprovalRequest> RejectAsync(string requestId, string identity, string comment, CancellationToken cancellationToken = default)
        => VoteAsync(requestId, identity, comment, approve: false, cancellationToken);

    /// <summary>Applies the deadline of every open request that is due: rejects it, or escalates it per its policy.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The requests that changed.</returns>
    public async ValueTask<IReadOnlyList<ApprovalRequest>> ExpireDueAsync(CancellationToken cancellationToken = default)
    {
        var changed = new List<ApprovalRequest>();
        await foreach (var request in _approvals.ListOpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await ExpireIfDueAsync(request, cancellationToken).ConfigureAwait(false) is { } updated)
            {
                changed.Add(updated);
            }
        }

        return changed;
    }

    internal static async ValueTask<ApprovalRequest> OpenAsync(IModelRegistry registry, IApprovalStore approvals, ApprovalRequest request, CancellationToken cancellationToken)
    {
        var stored = await approvals.CreateAsync(request, cancellationToken).ConfigureAwait(false);
        var deadline = request.Deadline is { } d ? $", deadline {d.ToString("u", CultureInfo.InvariantCulture)} ({(request.EscalateOnExpiry ? "escalates" : "rejects")})" : string.Empty;
        await registry.SetTagAsync(request.ModelName, request.Version, "approval", $"requested: quorum {request.Quorum}{deadline}{(request.FourEyes ? ", four-eyes" : string.Empty)}", request.RequestedBy, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private async ValueTask<ApprovalRequest> VoteAsync(string requestId, string identity, string comment, bool approve, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        ArgumentException.ThrowIfNullOrWhiteSpace(identity);
        ArgumentNullException.ThrowIfNull(comment);
        for (var attempt = 0; ; attempt++)
        {
            var request = await _approvals.GetAsync(requestId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"There is no approval request '{requestId}'.");
            request = await ExpireIfDueAsync(request, cancellationToken).ConfigureAwait(false) ?? request;
            var what = $"{request.ModelName} v{request.Version}";
            if (request.Status is not (ApprovalStatus.Pending or ApprovalStatus.Escalated))
            {
                throw new InvalidOperationException($"The approval request for {what} is already {request.Status.ToString().ToLowerInvariant()}; nothing was changed.");
            }

            if (!_authorize(request, identity))
            {
                throw new UnauthorizedAccessException($"'{identity}' is not authorized to decide on {what}.");
            }

            if (approve && request.FourEyes && string.Equals(identity, request.RequestedBy, StringComparison.Ordinal))
            {
                throw new UnauthorizedAccessException($"'{identity}' started the run that produced {what} and may not approve it (four-eyes).");
            }

            if (request.Votes.Any(v => string.Equals(v.Identity, identity, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"'{identity}' already voted on {what}; a second vote from the same identity does not count.");
            }

            var now = _timeProvider.GetUtcNow();
            var votes = request.Votes.Append(new ApprovalVote(identity, approve, comment, now)).ToArray();
            var approvals = votes.Where(v => v.Approved).Select(v => v.Identity).Distinct(StringComparer.Ordinal).ToArray();
            var status = !approve ? ApprovalStatus.Rejected : approvals.Length >= request.Quorum ? ApprovalStatus.Approved : request.Status;
            ApprovalRequest updated;
            try
            {
                updated = await _approvals.UpdateAsync(request with { Votes = votes, Status = status }, request.Revision, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelRegistryException) when (attempt < 3)
            {
                continue; // another approver wrote first: read again and re-check
            }

            var tag = !approve
                ? $"rejected by {identity}: {comment}"
                : status == ApprovalStatus.Approved ? $"approved by {string.Join(", ", approvals)} (quorum {request.Quorum}): {comment}" : $"approved {approvals.Length}/{request.Quorum} by {identity}: {comment}";
            await _registry.SetTagAsync(request.ModelName, request.Version, "approval", tag, identity, cancellationToken).ConfigureAwait(false);
            if (status == ApprovalStatus.Rejected)
            {
                await _registry.SetTagAsync(request.ModelName, request.Version, "decision", "rejected", identity, cancellationToken).ConfigureAwait(false);
            }
            else if (status == ApprovalStatus.Approved)
            {
                await _registry.SetAliasAsync(new AliasChange(request.ModelName, ModelAliases.Champion, request.Version, request.ExpectedChampion, identity, $"approved by {string.Join(", ", approvals)} (run {request.Id})"), cancellationToken).ConfigureAwait(false);
                await _registry.SetTagAsync(request.ModelName, request.Version, "decision", "approved", identity, cancellationToken).ConfigureAwait(false);
                RetrainingTelemetry.Promotions.Add(1, new KeyValuePair<string, object?>("model", request.ModelName));
            }

            return updated;
        }
    }

    private async ValueTask<ApprovalRequest?> ExpireIfDueAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        if (request.Status != ApprovalStatus.Pending || request.Deadline is not { } deadline || _timeProvider.GetUtcNow() < deadline)
        {
            return null;
        }

        var status = request.EscalateOnExpiry ? ApprovalStatus.Escalated : ApprovalStatus.Expired;
        var updated = await _approvals.UpdateAsync(request with { Status = status }, request.Revision, cancellationToken).ConfigureAwait(false);
        await _registry.SetTagAsync(request.ModelName, request.Version, "approval", status == ApprovalStatus.Expired ? $"expired at {deadline.ToString("u", CultureInfo.InvariantCulture)}: rejected" : $"escalated at {deadline.ToString("u", CultureInfo.InvariantCulture)}", "approval-deadline", cancellationToken).ConfigureAwait(false);
        if (status == ApprovalStatus.Expired)
        {
            await _registry.SetTagAsync(request.ModelName, request.Version, "decision", "rejected", "approval-deadline", cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    private static IApprovalStore StoreOf(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.GetService<IApprovalStore>()
            ?? throw new ArgumentException($"The registry ({registry.GetType().Name}) keeps no approval requests: pass the IApprovalStore to the gateway.", nameof(registry));
    }
}
