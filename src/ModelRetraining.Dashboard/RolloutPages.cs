using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using ModelRetraining.Serving;

namespace ModelRetraining.Dashboard;

/// <summary>
/// The rollouts of the model servers in this process (<see cref="IRolloutControl"/>): for each, its mode, arms,
/// step and traffic share, every analysis against its limits (charts with the fail line, as Argo's analysis
/// view: an operator sees why a step failed), and Promote / Pause / Resume / Abort for those allowed.
/// </summary>
internal static class RolloutPages
{
    private const int Width = 300;
    private const int Height = 80;

    public static IResult Rollouts(DashboardRequest request, bool canAct)
    {
        var body = new Html().Tag("h1", "Rollouts");
        var servers = request.RolloutServers;
        if (servers.Count == 0)
        {
            body.Tag("p", "No model server runs in this process (services.AddModelRetraining().AddModelServer<TInput, TOutput>(model), or DashboardOptions.RolloutServers).", "muted");
            return request.Site.Page(request, "Rollouts", body);
        }

        foreach (var server in servers.OrderBy(s => s.ModelName, StringComparer.Ordinal))
        {
            var (state, running) = server.Rollout is { } now ? (now, true) : (server.LastRollout, false);
            body.Raw("<section class=\"rollout\" data-model=\"").Attribute(server.ModelName).Raw("\">")
                .Raw("<h2>").Link($"{request.Root}/models/{Uri.EscapeDataString(server.ModelName)}", server.ModelName).Text(server.ServedVersion is { } served ? $" (serving v{served})" : string.Empty).Raw("</h2>");
            if (state is null)
            {
                body.Tag("p", "No rollout has run on this server.", "muted").Raw("</section>");
                continue;
            }

            var steps = server.RolloutOptions?.CanarySteps.Count ?? 0;
            body.Raw("<p>").Text(running ? string.Empty : "Last rollout: ")
                .Text($"{state.Mode} v{state.ChampionVersion} → v{state.ChallengerVersion} · ").Raw($"<span class=\"rollout-status status-{state.Status}\">").Text(state.Status.ToString()).Raw("</span>")
                .Text(state.Mode == RolloutMode.Canary && steps > 0 ? $" · step {Math.Min(state.Step, steps)} of {steps}" : string.Empty)
                .Text(state.Mode == RolloutMode.Shadow ? " · shadow: the challenger answers no one" : $" · {state.ChallengerShare * 100:0.##} % of traffic to the challenger")
                .Text(state.Winner is { } winner ? $" · winner v{winner}" : string.Empty).Raw("</p>");
            if (state.LastChange is { } change)
            {
                body.Raw("<p class=\"last-change\">").Text(change).Raw("</p>");
            }

            Analyses(body, state, server.RolloutOptions);
            if (running && canAct)
            {
                Actions(request, body, server.ModelName, state);
            }

            body.Raw("</section>");
        }

        return request.Site.Page(request, "Rollouts", body);
    }

    public static async Task<IResult> ActAsync(DashboardRequest request, string model, string action, CancellationToken cancellationToken)
    {
        var back = $"{request.Root}/rollouts";
        var field = action == "resume" ? null : "comment";
        var (refusal, comment) = await ApprovalPages.CheckActionAsync(request, field ?? "comment", request.CanRollBackAsync, cancellationToken, required: field is not null).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        if (request.RolloutServers.FirstOrDefault(s => s.ModelName == model) is not { } server)
        {
            return request.Site.Message(request, StatusCodes.Status404NotFound, "Unknown server", $"No model server for '{model}' runs in this process.", back);
        }

        try
        {
            var state = action switch
            {
                "promote" => await server.PromoteRolloutAsync(request.User!, comment!, cancellationToken).ConfigureAwait(false),
                "pause" => server.PauseRollout(request.User!, comment!),
                "resume" => server.ResumeRollout(request.User!),
                "abort" => await server.StopRolloutAsync(request.User!, comment!, cancellationToken).ConfigureAwait(false),
                _ => null,
            };
            return state is null
                ? request.Site.Message(request, StatusCodes.Status404NotFound, "Unknown action", $"'{action}' is not an action on a rollout (promote, pause, resume, abort).", back)
                : request.Site.Message(request, StatusCodes.Status200OK, "Done", $"{model}: {state.Status}. {state.LastChange}", back);
        }
        catch (InvalidOperationException ex)
        {
            // Not running, not paused, or the alias moved meanwhile: the rollout is as it was.
            return request.Site.Message(request, StatusCodes.Status409Conflict, "Not done", ex.Message, back);
        }
        catch (AliasConflictException ex)
        {
            return request.Site.Message(request, StatusCodes.Status409Conflict, "Not promoted", ex.Message, back);
        }
    }

    /// <summary>What the change feed hashes: a page follows every status change, step and analysis.</summary>
    public static void Describe(StringBuilder text, IReadOnlyList<IRolloutControl> servers)
    {
        foreach (var server in servers)
        {
            var state = server.Rollout ?? server.LastRollout;
            text.Append("r:").Append(server.ModelName).Append(':').Append(server.ServedVersion).Append(':')
                .Append(state?.Status).Append(':').Append(state?.Step).Append(':').Append(state?.Analyses.Count).Append(':').Append(state?.LastChange).Append('\n');
        }
    }

    private static void Actions(DashboardRequest request, Html body, string model, RolloutState state)
    {
        var actions = new List<(string Verb, string Label, string Confirm, bool Comment)>
        {
            ("promote", "Promote", $"Promote {model} v{state.ChallengerVersion} to champion now?", true),
        };
        actions.Add(state.Status == RolloutStatus.Paused ? ("resume", "Resume", $"Resume the rollout of {model} v{state.ChallengerVersion}?", false) : ("pause", "Pause", $"Pause the rollout of {model} v{state.ChallengerVersion}?", true));
        actions.Add(("abort", "Abort", $"Abort the rollout: all traffic back to v{state.ChampionVersion}?", true));
        foreach (var (verb, label, confirm, comment) in actions)
        {
            body.Raw("<form class=\"action\" method=\"post\" action=\"").Attribute($"{request.Root}/rollouts/{Uri.EscapeDataString(model)}/{verb}")
                .Raw("\" data-confirm=\"").Attribute(confirm).Raw("\">").Raw(request.AntiforgeryField());
            if (comment)
            {
                body.Raw($"<textarea name=\"comment\" required maxlength=\"{request.Site.Options.MaxCommentLength}\" placeholder=\"Comment (required)\"></textarea>");
            }

            body.Raw($"<button class=\"{(verb == "abort" ? "rollback" : verb == "promote" ? "approve" : verb)}\" type=\"submit\">{label}</button></form>");
        }
    }

    // Each analysis against the limits it was judged by: a table, and per measure a chart of the challenger's
    // value per analysis with the fail line (dashed) where the limit is fixed.
    private static void Analyses(Html body, RolloutState state, RolloutOptions? options)
    {
        if (state.Analyses.Count == 0)
        {
            body.Tag("p", "No analysis has decided anything yet (the arms are still gathering outcomes).", "muted");
            return;
        }

        body.Raw("<div class=\"charts\">");
        Chart(body, "errors", "Challenger error rate", state.Analyses.Select(a => a.Challenger.ErrorRate).ToList(), options?.MaxErrorRate, v => $"{v * 100:0.##} %");
        Chart(body, "accuracy", "Accuracy, challenger − champion", state.Analyses.Select(a => a.Challenger.Accuracy - a.Champion.Accuracy).ToList(), options is null ? null : -options.AccuracyTolerance, v => $"{v * 100:+0.##;-0.##;0} pt");
        Chart(body, "latency", "p99 latency ratio, challenger / champion", state.Analyses.Select(a => a.Challenger.LatencyP99Milliseconds / a.Champion.LatencyP99Milliseconds).ToList(), options?.MaxLatencyRatio, v => $"{v:0.##}×");
        body.Raw("</div><table class=\"analyses\">").Head("Step", "Share", "Champion", "Challenger", "Outcome", "Why", "At");
        foreach (var analysis in state.Analyses)
        {
            body.Row(analysis.Step.ToString(CultureInfo.InvariantCulture), $"{analysis.ChallengerShare * 100:0.##} %", analysis.Champion.ToString(), analysis.Challenger.ToString(), analysis.Outcome.ToString(), string.Join("; ", analysis.Reasons), Html.When(analysis.At));
        }

        body.Raw("</table>");
    }

    private static void Chart(Html body, string key, string title, List<double> values, double? limit, Func<double, string> format)
    {
        var finite = values.Where(double.IsFinite).ToList();
        var (low, high) = finite.Count == 0 ? (0d, 1d) : (finite.Min(), finite.Max());
        if (limit is { } line)
        {
            (low, high) = (Math.Min(low, line), Math.Max(high, line));
        }

        var pad = Math.Max((high - low) * 0.1, 1e-6);
        (low, high) = (low - pad, high + pad);
        double Y(double v) => Height - ((v - low) / (high - low) * Height);
        double X(int i) => values.Count == 1 ? Width / 2.0 : i * (double)Width / (values.Count - 1);
        var points = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (double.IsFinite(values[i]))
            {
                points.Append(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(values[i]):0.#} ");
            }
        }

        body.Raw($"<figure class=\"chart\" id=\"rollout-{key}\"><figcaption>").Text(title).Raw(" <span class=\"value\">").Text(finite.Count > 0 ? format(finite[^1]) : "–")
            .Raw("</span>").Text(limit is { } l ? $" · limit {format(l)}" : string.Empty).Raw($"</figcaption><svg viewBox=\"0 0 {Width} {Height}\" preserveAspectRatio=\"none\" role=\"img\" data-points=\"{finite.Count}\">");
        if (limit is { } fail)
        {
            body.Raw(string.Create(CultureInfo.InvariantCulture, $"<line class=\"fail\" x1=\"0\" x2=\"{Width}\" y1=\"{Y(fail):0.#}\" y2=\"{Y(fail):0.#}\"/>"));
        }

        body.Raw("<polyline points=\"").Raw(points.ToString().TrimEnd()).Raw("\"/>");
        for (var i = 0; i < values.Count; i++)
        {
            if (double.IsFinite(values[i]))
            {
                body.Raw(string.Create(CultureInfo.InvariantCulture, $"<circle r=\"2.5\" cx=\"{X(i):0.#}\" cy=\"{Y(values[i]):0.#}\"/>"));
            }
        }

        body.Raw("</svg></figure>");
    }
}
