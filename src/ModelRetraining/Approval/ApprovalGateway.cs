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
    private readonly Func<ApprovalRequest, string, string?>? _principalOf;

    /// <summary>Creates a gateway.</summary>
    /// <param name="registry">The registry whose champion alias an approval moves.</param>
    /// <param name="timeProvider">The clock for deadlines; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="authorize">Decides who may approve or reject which request; everyone when <see langword="null"/>.</param>
    /// <param name="approvals">The store holding the requests; the registry's own (the embedded and in-memory registries keep them) when <see langword="null"/>.</param>
    /// <param name="principalOf">
    /// Maps an identity to the stable principal id the host knows for it (a user's object id), so that
    /// two spellings of one account count once whatever the host's own matching does; returns
    /// <see langword="null"/> for an identity it does not know (refused). When <see langword="null"/>,
    /// identities are compared by <see cref="ApprovalIdentities.Key"/> (trimmed, NFKC, case-folded). Applies
    /// to the requester (four-eyes) and to every voter (quorum).
    /// </param>
    /// <exception cref="ArgumentException">No store is given and the registry keeps no approval requests.</exception>
    public ApprovalGateway(IModelRegistry registry, TimeProvider? timeProvider = null, Func<ApprovalRequest, string, bool>? authorize = null, IApprovalStore? approvals = null, Func<ApprovalRequest, string, string?>? principalOf = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _approvals = approvals ?? StoreOf(registry);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _authorize = authorize ?? ((_, _) => true);
        _principalOf = principalOf;
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
            // A request someone decided meanwhile is simply no longer due; the batch goes on past it.
            var (updated, expiredHere) = await ExpireIfDueAsync(request, cancellationToken).ConfigureAwait(false);
            if (expiredHere)
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
        SafeText.ThrowIfInvalidIdentity(identity, "approver", nameof(identity));
        ArgumentNullException.ThrowIfNull(comment);
        identity = identity.Trim();
        for (var attempt = 0; ; attempt++)
        {
            var request = await _approvals.GetAsync(requestId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"There is no approval request '{SafeText.Escape(requestId)}'.");
            (request, _) = await ExpireIfDueAsync(request, cancellationToken).ConfigureAwait(false);
            var what = $"{request.ModelName} v{request.Version}";
            if (request.Status == ApprovalStatus.Approved && approve && await PromotionPendingAsync(request, cancellationToken).ConfigureAwait(false))
            {
                // Approved, but the process died before the alias moved: finish the promotion instead of refusing.
                return await PromoteAsync(request, Approvers(request), identity, cancellationToken).ConfigureAwait(false);
            }

            if (request.Status is not (ApprovalStatus.Pending or ApprovalStatus.Escalated))
            {
                throw new InvalidOperationException($"The approval request for {what} is already {request.Status.ToString().ToLowerInvariant()}; nothing was changed.");
            }

            if (!_authorize(request, identity))
            {
                throw new UnauthorizedAccessException($"'{SafeText.Escape(identity)}' is not authorized to decide on {what}.");
            }

            var voter = PrincipalOf(request, identity, "approver");
            if (approve && request.FourEyes && string.Equals(voter, PrincipalOf(request, request.RequestedBy, "requester"), StringComparison.Ordinal))
            {
                throw new UnauthorizedAccessException($"'{SafeText.Escape(identity)}' started the run that produced {what} (as '{SafeText.Escape(request.RequestedBy)}') and may not approve it (four-eyes).");
            }

            if (request.Votes.FirstOrDefault(v => string.Equals(PrincipalOf(request, v.Identity, "approver"), voter, StringComparison.Ordinal)) is { } earlier)
            {
                throw new InvalidOperationException($"'{SafeText.Escape(identity)}' already voted on {what} (as '{SafeText.Escape(earlier.Identity)}'); a second vote from the same person does not count.");
            }

            var now = _timeProvider.GetUtcNow();
            var votes = request.Votes.Append(new ApprovalVote(identity, approve, comment, now)).ToArray();
            var candidate = request with { Votes = votes };
            var approvers = Approvers(candidate);
            var status = !approve ? ApprovalStatus.Rejected : approvers.Count >= request.Quorum ? ApprovalStatus.Approved : request.Status;
            ApprovalRequest updated;
            try
            {
                updated = await _approvals.UpdateAsync(candidate with { Status = status, Conflict = status == ApprovalStatus.Approved ? null : request.Conflict }, request.Revision, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelRegistryException) when (attempt < 5)
            {
                continue; // another approver or the deadline wrote first: read again and re-check
            }

            var tag = !approve
                ? $"rejected by {identity}: {comment}"
                : status == ApprovalStatus.Approved ? $"approved by {string.Join(", ", approvers)} (quorum {request.Quorum}): {comment}" : $"approved {approvers.Count}/{request.Quorum} by {identity}: {comment}";
            await _registry.SetTagAsync(request.ModelName, request.Version, "approval", tag, identity, cancellationToken).ConfigureAwait(false);
            if (status == ApprovalStatus.Rejected)
            {
                await _registry.SetTagAsync(request.ModelName, request.Version, "decision", "rejected", identity, cancellationToken).ConfigureAwait(false);
            }
            else if (status == ApprovalStatus.Approved)
            {
                return await PromoteAsync(updated, approvers, identity, cancellationToken).ConfigureAwait(false);
            }

            return updated;
        }
    }

    // The decision is stored first (it serializes racing voters), then the alias moves. When the champion
    // moved meanwhile, the request goes back to pending against the new champion with the conflict
    // recorded, so it can be decided again, and the approver is told; it never stays approved-but-unpromoted.
    private async ValueTask<ApprovalRequest> PromoteAsync(ApprovalRequest approved, IReadOnlyList<string> approvers, string identity, CancellationToken cancellationToken)
    {
        var who = string.Join(", ", approvers);
        try
        {
            await _registry.SetAliasAsync(new AliasChange(approved.ModelName, ModelAliases.Champion, approved.Version, approved.ExpectedChampion, identity, $"approved by {who} (run {approved.Id})"), cancellationToken).ConfigureAwait(false);
        }
        catch (AliasConflictException conflict) when (conflict.ActualVersion == approved.Version)
        {
            // Already champion: a retry after the alias moved but before the caller heard of it.
        }
        catch (AliasConflictException conflict)
        {
            var why = $"approved by {who} at {_timeProvider.GetUtcNow().ToString("u", CultureInfo.InvariantCulture)}, but the champion had moved from {Describe(approved.ExpectedChampion)} to {Describe(conflict.ActualVersion)}: nothing was promoted; decide again against {Describe(conflict.ActualVersion)}";
            var reopened = await _approvals.UpdateAsync(
                approved with { Status = ApprovalStatus.Pending, Votes = [], ExpectedChampion = conflict.ActualVersion, Conflict = why },
                approved.Revision,
                cancellationToken).ConfigureAwait(false);
            await _registry.SetTagAsync(approved.ModelName, approved.Version, "approval", $"conflict: {why}", identity, cancellationToken).ConfigureAwait(false);
            throw new AliasConflictException(
                $"{approved.ModelName} v{approved.Version} was {why}. The request is pending again (revision {reopened.Revision}).",
                conflict);
        }

        await _registry.SetTagAsync(approved.ModelName, approved.Version, "decision", "approved", identity, cancellationToken).ConfigureAwait(false);
        RetrainingTelemetry.Promotions.Add(1, new KeyValuePair<string, object?>("model", approved.ModelName));
        return approved;
    }

    private async ValueTask<bool> PromotionPendingAsync(ApprovalRequest request, CancellationToken cancellationToken)
        => (await _registry.GetAliasAsync(request.ModelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false))?.Version != request.Version;

    // Approvers counted once per person, in the order they voted, shown as they first spelled themselves.
    private List<string> Approvers(ApprovalRequest request)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var approvers = new List<string>();
        foreach (var vote in request.Votes.Where(v => v.Approved))
        {
            if (seen.Add(PrincipalOf(request, vote.Identity, "approver")))
            {
                approvers.Add(vote.Identity);
            }
        }

        return approvers;
    }

    private string PrincipalOf(ApprovalRequest request, string identity, string what)
    {
        if (_principalOf is null)
        {
            return ApprovalIdentities.Key(identity, what);
        }

        var principal = _principalOf(request, identity)
            ?? throw new UnauthorizedAccessException($"The {what} '{SafeText.Escape(identity)}' has no principal id known to the host; nothing was changed.");
        return ApprovalIdentities.Key(principal, what);
    }

    // Returns the request as it now stands and whether this call expired it. A conflict means someone
    // decided (or another expiry job expired) it first: the fresh state is returned and wins.
    private async ValueTask<(ApprovalRequest Request, bool ExpiredHere)> ExpireIfDueAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        if (request.Status != ApprovalStatus.Pending || request.Deadline is not { } deadline || _timeProvider.GetUtcNow() < deadline)
        {
            return (request, false);
        }

        var status = request.EscalateOnExpiry ? ApprovalStatus.Escalated : ApprovalStatus.Expired;
        ApprovalRequest updated;
        try
        {
            updated = await _approvals.UpdateAsync(request with { Status = status }, request.Revision, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException)
        {
            return (await _approvals.GetAsync(request.Id, cancellationToken).ConfigureAwait(false) ?? request, false);
        }

        await _registry.SetTagAsync(request.ModelName, request.Version, "approval", status == ApprovalStatus.Expired ? $"expired at {deadline.ToString("u", CultureInfo.InvariantCulture)}: rejected" : $"escalated at {deadline.ToString("u", CultureInfo.InvariantCulture)}", "approval-deadline", cancellationToken).ConfigureAwait(false);
        if (status == ApprovalStatus.Expired)
        {
            await _registry.SetTagAsync(request.ModelName, request.Version, "decision", "rejected", "approval-deadline", cancellationToken).ConfigureAwait(false);
        }

        return (updated, true);
    }

    private static string Describe(int? version) => version is { } v ? $"v{v.ToString(CultureInfo.InvariantCulture)}" : "no version";

    private static IApprovalStore StoreOf(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.GetService<IApprovalStore>()
            ?? throw new ArgumentException($"The registry ({registry.GetType().Name}) keeps no approval requests: pass the IApprovalStore to the gateway.", nameof(registry));
    }
}
