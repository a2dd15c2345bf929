using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ModelRetraining.Dashboard;

/// <summary>
/// The approval inbox, and the actions that change state: approve, reject and roll back. Each action checks
/// the antiforgery token, the user's permission and the comment, then calls the same API code calls
/// (<see cref="ApprovalGateway"/>, <see cref="IModelRegistry.RollbackAsync"/>), so quorum, four-eyes and
/// expiry hold here exactly as they do there.
/// </summary>
internal static class ApprovalPages
{
    public static async Task<IResult> InboxAsync(DashboardRequest request, CancellationToken cancellationToken)
    {
        var open = await ModelPages.OpenApprovalsAsync(request.Approvals, cancellationToken).ConfigureAwait(false);
        var canApprove = await request.CanApproveAsync().ConfigureAwait(false);
        var now = request.Time.GetUtcNow();
        var body = new Html().Tag("h1", "Approvals");
        if (open is null)
        {
            body.Raw("<p class=\"message bad\" id=\"no-approval-store\">This registry keeps no approval requests: give the dashboard the approval store your pipelines use (DashboardOptions.Approvals).</p>");
            return request.Site.Page(request, "Approvals", body);
        }

        if (open.Count == 0)
        {
            body.Raw("<p class=\"muted\" id=\"no-approvals\">Nothing is waiting for approval.</p>");
        }

        foreach (var pending in open.OrderBy(r => r.RequestedAt))
        {
            var model = $"{request.Root}/models/{Uri.EscapeDataString(pending.ModelName)}";
            var approvals = pending.Votes.Count(v => v.Approved);
            body.Raw("<section class=\"approval\" data-request=\"").Attribute(pending.Id).Raw("\">")
                .Raw("<h2>").Link(model, pending.ModelName).Text($" v{pending.Version}").Raw("</h2>")
                .Raw("<p>").Text($"Requested by {pending.RequestedBy} at {Html.When(pending.RequestedAt)}; replaces {(pending.ExpectedChampion is { } c ? $"v{c}" : "no champion")}. ")
                .Raw("<span class=\"quorum\">").Text($"{approvals} of {pending.Quorum} approvals").Raw("</span>")
                .Text(pending.Deadline is { } deadline ? $"; {(deadline > now ? $"expires in {Html.Span(deadline - now)}" : "past its deadline")}" : string.Empty)
                .Text(pending.FourEyes ? "; the requester cannot approve." : ".").Raw("</p>")
                .Raw("<p>").Link($"{model}/versions/{pending.Version}", "The candidate")
                .Text(pending.ExpectedChampion is { } champion ? " · " : string.Empty);
            if (pending.ExpectedChampion is { } against)
            {
                body.Link($"{model}/diff?from={against}&to={pending.Version}", $"compared with v{against}");
            }

            body.Raw("</p>");
            await ReadinessAsync(request, body, pending, cancellationToken).ConfigureAwait(false);
            if (pending.Votes.Count > 0)
            {
                body.Raw("<table class=\"votes\">").Head("Who", "Vote", "When", "Comment");
                foreach (var vote in pending.Votes)
                {
                    body.Row(vote.Identity, vote.Approved ? "approve" : "reject", Html.When(vote.At), vote.Comment);
                }

                body.Raw("</table>");
            }

            if (canApprove)
            {
                foreach (var (verb, label, confirm) in new[] { ("approve", "Approve", "Approve"), ("reject", "Reject", "Reject") })
                {
                    body.Raw("<form class=\"action\" method=\"post\" action=\"").Attribute($"{request.Root}/approvals/{Uri.EscapeDataString(pending.Id)}/{verb}")
                        .Raw("\" data-confirm=\"").Attribute($"{confirm} {pending.ModelName} v{pending.Version}?").Raw("\">").Raw(request.AntiforgeryField())
                        .Raw($"<textarea name=\"comment\" required maxlength=\"{request.Site.Options.MaxCommentLength}\" placeholder=\"Comment (required)\"></textarea>")
                        .Raw($"<button class=\"{verb}\" type=\"submit\">{label}</button></form>");
                }
            }
        }

        return request.Site.Page(request, "Approvals", body);
    }

    public static async Task<IResult> VoteAsync(DashboardRequest request, string id, bool approve, CancellationToken cancellationToken)
    {
        var (refusal, comment) = await CheckActionAsync(request, "comment", request.CanApproveAsync, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var back = $"{request.Root}/approvals";
        if (request.Approvals is not { } approvals)
        {
            return request.Site.Message(request, StatusCodes.Status404NotFound, "No approvals here", "This registry keeps no approval requests.", back);
        }

        try
        {
            var options = request.Site.Options;
            var gateway = new ApprovalGateway(request.Registry, request.Time, options.AuthorizeApproval, approvals, options.ApprovalPrincipalOf);
            var after = approve
                ? await gateway.ApproveAsync(id, request.User!, comment!, cancellationToken).ConfigureAwait(false)
                : await gateway.RejectAsync(id, request.User!, comment!, cancellationToken).ConfigureAwait(false);
            var outcome = after.Status switch
            {
                ApprovalStatus.Approved => $"{after.ModelName} v{after.Version} is approved and now the champion.",
                ApprovalStatus.Rejected => $"{after.ModelName} v{after.Version} is rejected; it stays registered and is not promoted.",
                _ => $"Your vote is recorded: {after.Votes.Count(v => v.Approved)} of {after.Quorum} approvals.",
            };
            return request.Site.Message(request, StatusCodes.Status200OK, approve ? "Approved" : "Rejected", outcome, back);
        }
        catch (KeyNotFoundException ex)
        {
            return request.Site.Message(request, StatusCodes.Status404NotFound, "Unknown request", ex.Message, back);
        }
        catch (UnauthorizedAccessException ex)
        {
            return request.Site.Message(request, StatusCodes.Status403Forbidden, "Not allowed", ex.Message, back);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ModelRegistryException)
        {
            // Decided, expired, voted already, or the champion moved meanwhile (AliasConflictException is a ModelRegistryException).
            return request.Site.Message(request, StatusCodes.Status409Conflict, "Not possible now", ex.Message, back);
        }
        catch (ArgumentException ex)
        {
            return request.Site.Message(request, StatusCodes.Status400BadRequest, "Refused", ex.Message, back);
        }
    }

    // The rollback-readiness checklist the run recorded when it asked for approval: the approvers' votes promote
    // without rescoring, so they see here whether the way back works.
    private static async Task ReadinessAsync(DashboardRequest request, Html body, ApprovalRequest pending, CancellationToken cancellationToken)
    {
        body.Raw("<ul class=\"checklist\" data-readiness=\"").Attribute(pending.Id).Raw("\">");
        if (pending.ExpectedChampion is null)
        {
            body.Raw("<li class=\"muted\">").Text("No champion yet: nothing to roll back to.").Raw("</li></ul>");
            return;
        }

        System.Text.Json.JsonElement? rollback = null;
        if (request.Registry.GetService<IRunJournal>() is { } journal)
        {
            await foreach (var entry in journal.ReadRunAsync(pending.Id, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Status == RunJournalStatus.AwaitingApproval && entry.Outputs is { } outputs)
                {
                    try
                    {
                        using var document = System.Text.Json.JsonDocument.Parse(outputs);
                        rollback = document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && document.RootElement.TryGetProperty("rollback", out var found) && found.ValueKind == System.Text.Json.JsonValueKind.Object ? found.Clone() : null;
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        rollback = null; // written by hand or another version: shown as not checked, the inbox still renders
                    }
                }
            }
        }

        if (rollback is not { } check)
        {
            body.Raw("<li class=\"muted\">").Text($"Rollback to v{pending.ExpectedChampion} was not checked when the request was opened (opened in code, or with VerifyRollbackReadiness off).").Raw("</li></ul>");
            return;
        }

        var verified = check.TryGetProperty("verified", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.True;
        var rescored = check.TryGetProperty("rescored", out var r) && r.ValueKind == System.Text.Json.JsonValueKind.Number && r.TryGetInt32(out var rows) ? rows : 0;
        var problem = check.TryGetProperty("problem", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.String ? p.GetString() : null;
        Item(body, verified, $"v{pending.ExpectedChampion} (the rollback target) read back from the registry, SHA-256 verified");
        if (problem is not null)
        {
            Item(body, false, problem);
        }
        else if (rescored > 0)
        {
            Item(body, true, $"v{pending.ExpectedChampion} loaded and scored {rescored} holdout rows exactly as in this run's evaluation");
        }
        else
        {
            body.Raw("<li class=\"muted\">").Text("Not rescored: the evaluator keeps no per-row outputs to compare with.").Raw("</li>");
        }

        body.Raw("</ul>");
    }

    private static void Item(Html body, bool good, string text) => body.Raw(good ? "<li class=\"good\">✓ " : "<li class=\"bad\">✗ ").Text(text).Raw("</li>");

    public static async Task<IResult> RollbackAsync(DashboardRequest request, string model, CancellationToken cancellationToken)
    {
        var (refusal, reason) = await CheckActionAsync(request, "reason", request.CanRollBackAsync, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var back = $"{request.Root}/models/{Uri.EscapeDataString(model)}";
        if (!await ModelPages.ExistsAsync(request.Registry, model, cancellationToken).ConfigureAwait(false))
        {
            return request.Site.Message(request, StatusCodes.Status404NotFound, "Unknown model", $"The registry has no model named '{model}'.", $"{request.Root}/");
        }

        if (!int.TryParse(request.Http.Request.Form["expected"], NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
        {
            return request.Site.Message(request, StatusCodes.Status400BadRequest, "Refused", "The form names no expected champion version ('expected').", back);
        }

        try
        {
            var entry = await request.Registry.RollbackAsync(new RollbackRequest(model, expected, request.User!, reason!), cancellationToken).ConfigureAwait(false);
            return request.Site.Message(request, StatusCodes.Status200OK, "Rolled back", $"{model}'s champion is v{entry.ToVersion} again (was v{entry.FromVersion}).", back);
        }
        catch (Exception ex) when (ex is AliasConflictException or ArtifactIntegrityException or InvalidOperationException)
        {
            // Moved meanwhile, a target that fails its hash check, or nothing earlier to go back to.
            return request.Site.Message(request, StatusCodes.Status409Conflict, "Not rolled back", ex.Message, back);
        }
        catch (ArgumentException ex)
        {
            return request.Site.Message(request, StatusCodes.Status400BadRequest, "Refused", ex.Message, back);
        }
    }

    // The antiforgery token first (a forged post learns nothing more), then the user and permission, then the text.
    internal static async Task<(IResult? Refusal, string? Text)> CheckActionAsync(DashboardRequest request, string field, Func<Task<bool>> allowed, CancellationToken cancellationToken, bool required = true)
    {
        var http = request.Http;
        if (!http.Request.HasFormContentType)
        {
            return (request.Site.Message(request, StatusCodes.Status400BadRequest, "Refused", "An action is a form post."), null);
        }

        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            return (request.Site.Message(request, StatusCodes.Status400BadRequest, "Refused", "The form's antiforgery token is missing or wrong; reload the page and try again."), null);
        }

        if (request.User is null)
        {
            return (request.Site.Message(request, StatusCodes.Status401Unauthorized, "Sign in", "Sign in to act: every action is recorded under your name."), null);
        }

        if (!await allowed().ConfigureAwait(false))
        {
            return (request.Site.Message(request, StatusCodes.Status403Forbidden, "Not allowed", $"'{request.User}' may not do this here."), null);
        }

        var form = await http.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        var text = form[field].ToString().Trim();
        var limit = request.Site.Options.MaxCommentLength;
        if ((required && text.Length == 0) || text.Length > limit)
        {
            return (request.Site.Message(request, StatusCodes.Status400BadRequest, "Refused", text.Length == 0 ? $"A {field} is required." : $"The {field} has {text.Length} characters; at most {limit} are accepted ({nameof(DashboardOptions.MaxCommentLength)})."), null);
        }

        return (null, text);
    }
}
