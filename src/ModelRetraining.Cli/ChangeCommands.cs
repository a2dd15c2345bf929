using Spectre.Console;

namespace ModelRetraining.Cli;

/// <summary>
/// Commands that change the registry — promote, roll back, approve, reject — each through the same API code
/// calls, so the registry's rules (the expected version of an alias move, the audit log) and the gateway's
/// (quorum, four-eyes, expiry) hold exactly. The actor is <c>--actor</c>, else the OS user.
/// </summary>
internal static class ChangeCommands
{
    public static async Task<int> PromoteAsync(IModelRegistry registry, string model, int version, string alias, string expected, string actor, string reason, Output output, CancellationToken cancellationToken)
    {
        await ReadCommands.VersionAsync(registry, model, version, cancellationToken).ConfigureAwait(false);
        int? current = expected == "none" ? null
            : int.TryParse(expected, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var e) && e > 0 ? e
            : throw new CliException(ExitCodes.Usage, $"--expected is the version '{alias}' points at now, or 'none'; '{expected}' is neither.");
        try
        {
            var entry = await registry.SetAliasAsync(new AliasChange(model, alias, version, current, actor, reason), cancellationToken).ConfigureAwait(false);
            return Moved(entry, output);
        }
        catch (AliasConflictException ex)
        {
            throw new CliException(ExitCodes.Conflict, $"{ex.Message} Nothing was changed ('mrt aliases list {model}' shows where it points now).");
        }
    }

    public static async Task<int> RollbackAsync(IModelRegistry registry, string model, int expected, string actor, string reason, Output output, CancellationToken cancellationToken)
    {
        await ReadCommands.ThrowIfUnknownAsync(registry, model, cancellationToken).ConfigureAwait(false);
        try
        {
            var entry = await registry.RollbackAsync(new RollbackRequest(model, expected, actor, reason), cancellationToken).ConfigureAwait(false);
            return Moved(entry, output);
        }
        catch (Exception ex) when (ex is AliasConflictException || (ex is InvalidOperationException && ex.InnerException is null))
        {
            // Moved meanwhile, or nothing earlier to go back to: refused by the rules.
            throw new CliException(ExitCodes.Conflict, $"{ex.Message} Nothing was changed.");
        }
        catch (Exception ex) when (ex is ArtifactIntegrityException or InvalidOperationException)
        {
            // The previous champion's artifact failed its hash check or could not be read: the data is damaged.
            throw new CliException(ExitCodes.Failed, $"{ex.Message} Nothing was changed.");
        }
    }

    public static async Task<int> VoteAsync(IModelRegistry registry, string requestId, bool approve, string actor, string comment, Output output, CancellationToken cancellationToken)
    {
        if (registry.GetService<IApprovalStore>() is null)
        {
            throw new CliException(ExitCodes.NotFound, "This registry keeps no approval requests.");
        }

        try
        {
            var gateway = new ApprovalGateway(registry);
            var after = approve
                ? await gateway.ApproveAsync(requestId, actor, comment, cancellationToken).ConfigureAwait(false)
                : await gateway.RejectAsync(requestId, actor, comment, cancellationToken).ConfigureAwait(false);
            output.Result(ReadCommands.Approval(after), console => Output.Line(console, after.Status switch
            {
                ApprovalStatus.Approved => $"{after.ModelName} v{after.Version} is approved and now the champion.",
                ApprovalStatus.Rejected => $"{after.ModelName} v{after.Version} is rejected; it stays registered and is not promoted.",
                _ => $"vote recorded: {after.Votes.Count(v => v.Approved)} of {after.Quorum} approvals for {after.ModelName} v{after.Version}.",
            }));
            return ExitCodes.Ok;
        }
        catch (KeyNotFoundException ex)
        {
            throw new CliException(ExitCodes.NotFound, ex.Message);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or InvalidOperationException or AliasConflictException)
        {
            // Four-eyes, a second vote, a decided or expired request, a champion that moved meanwhile.
            throw new CliException(ExitCodes.Conflict, ex.Message);
        }
    }

    private static int Moved(AliasHistoryEntry entry, Output output)
    {
        output.Result(
            new { model = entry.ModelName, alias = entry.Alias, from = entry.FromVersion, to = entry.ToVersion, actor = entry.Actor, reason = entry.Reason, at = entry.At },
            console => Output.Line(console, $"{entry.ModelName} {entry.Alias}: {(entry.FromVersion is { } f ? $"v{f}" : "none")} -> {(entry.ToVersion is { } t ? $"v{t}" : "none")} by {entry.Actor} ({entry.Reason})"));
        return ExitCodes.Ok;
    }
}
