using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ModelRetraining.Dashboard;

/// <summary>One mapped dashboard: its prefix, options, embedded assets and the change feed its open pages share.</summary>
internal sealed class DashboardSite(string prefix, DashboardOptions options, IServiceProvider root)
{
    public const string StateKey = "ModelRetraining.Dashboard.State";

    private ChangeFeed? _changes;

    public string Prefix { get; } = prefix.TrimEnd('/');

    public DashboardOptions Options => options;

    public DashboardAssets Assets { get; } = new();

    public IModelRegistry Registry(IServiceProvider services)
        => options.Registry ?? services.GetService<IModelRegistry>()
            ?? throw new InvalidOperationException("The dashboard has no registry: set DashboardOptions.Registry, or register an IModelRegistry service (services.AddModelRetraining()...).");

    public RunMonitor? Monitor(IServiceProvider services) => options.Monitor ?? services.GetService<RunMonitor>();

    public IReadOnlyList<ModelRetraining.Serving.IRolloutControl> RolloutServers(IServiceProvider services)
        => options.RolloutServers is { } given ? [.. given] : [.. services.GetServices<ModelRetraining.Serving.IRolloutControl>()];

    // The feed outlives the request that created it: it resolves servers from the app's root services, never
    // from a request's scope (disposed when that request ends).
    public ChangeFeed Changes(IServiceProvider services) => _changes ??= new ChangeFeed(Registry(services), options.Approvals, () => RolloutServers(root), options.ChangePollInterval, options.TimeProvider ?? TimeProvider.System);

    /// <summary>
    /// The page around a view: navigation, the stylesheet and script by hashed URL, and where the live stream is.
    /// A page that is not <paramref name="live"/> (the answer to a form post: its URL cannot be fetched again) has no stream.
    /// </summary>
    public IResult Page(DashboardRequest request, string title, Html body, int status = StatusCodes.Status200OK, bool live = true)
    {
        var root = request.Root;
        var page = new Html().Raw("<!DOCTYPE html><html lang=\"en\"");
        page = live
            ? page.Raw(" data-stream=\"").Attribute($"{root}/events").Raw("\" data-state=\"").Attribute(request.Http.Items[StateKey] as string).Raw("\">")
            : page.Raw(" data-live=\"off\">");
        page = page.Raw("<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\">")
            .Raw("<title>").Text(title).Raw(" · ModelRetraining</title>")
            .Raw("<link rel=\"stylesheet\" href=\"").Attribute($"{root}/assets/{Assets.Url("dashboard.css")}").Raw("\">")
            .Raw("<script defer src=\"").Attribute($"{root}/assets/{Assets.Url("dashboard.js")}").Raw("\"></script></head><body>")
            .Raw("<header><strong>ModelRetraining</strong><nav>")
            .Link($"{root}/", "Models").Link($"{root}/approvals", "Approvals").Link($"{root}/rollouts", "Rollouts")
            .Raw("</nav><span class=\"live\">live</span><span class=\"muted\">").Text(request.User is { } user ? $"signed in as {user}" : "not signed in").Raw("</span></header>")
            .Raw("<main>").Raw(body.ToString()).Raw("</main></body></html>");
        return Results.Content(page.ToString(), "text/html; charset=utf-8", statusCode: status);
    }

    public IResult Message(DashboardRequest request, int status, string title, string message, string? backTo = null)
    {
        var body = new Html().Tag("h1", title).Raw($"<div class=\"message{(status >= 400 ? " bad" : string.Empty)}\" role=\"status\">").Text(message).Raw("</div>");
        if (backTo is not null)
        {
            body.Link(backTo, "Back");
        }

        // A message answers a post, or refuses a request: there is nothing live to follow on it.
        return Page(request, title, body, status, live: false);
    }
}
