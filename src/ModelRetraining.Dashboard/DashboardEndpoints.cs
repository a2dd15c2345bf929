using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Dashboard;

/// <summary>Maps the operator dashboard into the host's app.</summary>
public static class DashboardEndpoints
{
    // A form here holds a token and a comment: far below this, which bounds what antiforgery reads.
    private const int MaxFormBytes = 1 << 20;

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// Maps the dashboard under <paramref name="prefix"/>: models, versions, alias history, runs, the approval
    /// inbox, and a live stream the pages follow. Without <see cref="DashboardOptions.ViewPolicy"/> only
    /// loopback requests are served. One check covers pages, actions, the stream and the assets; chain
    /// <c>.RequireAuthorization("policy")</c> on the result for the host's own policy on top. Needs
    /// <c>services.AddRetrainingDashboard()</c> (antiforgery and authorization).
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The route prefix, e.g. <c>/retraining</c>.</param>
    /// <param name="configure">The registry and the permissions; <see langword="null"/> for the defaults (the host's registry service, loopback only, no rollback).</param>
    /// <returns>The route group.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid; every problem is listed.</exception>
    /// <exception cref="InvalidOperationException"><c>AddRetrainingDashboard</c> was not called.</exception>
    public static RouteGroupBuilder MapRetrainingDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/retraining", Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var options = new DashboardOptions();
        configure?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(DashboardOptions), typeof(DashboardOptions), errors);
        }

        if (endpoints.ServiceProvider.GetService<IAntiforgery>() is null || endpoints.ServiceProvider.GetService<IAuthorizationService>() is null)
        {
            throw new InvalidOperationException("The dashboard needs antiforgery and authorization services: call builder.Services.AddRetrainingDashboard() before building the app.");
        }

        var site = new DashboardSite(prefix, options, endpoints.ServiceProvider);
        var group = endpoints.MapGroup(site.Prefix);
        if (options.ViewPolicy is { } viewPolicy)
        {
            // The host's own authorization: a signed-out user is challenged (sent to sign in), not just refused.
            group.RequireAuthorization(viewPolicy);
        }

        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (options.ViewPolicy is null && !IsLocal(http))
            {
                return site.Message(new DashboardRequest(http, site), StatusCodes.Status403Forbidden, "Not allowed", "This dashboard serves local requests only (from a loopback address, to localhost). The host opens it to others by naming an authorization policy (DashboardOptions.ViewPolicy).");
            }

            if (HttpMethods.IsGet(http.Request.Method))
            {
                // The state the page is rendered at (or an older one): its script starts the live stream from it.
                http.Items[DashboardSite.StateKey] = await site.Changes(http.RequestServices).CurrentAsync(http.RequestAborted).ConfigureAwait(false);
            }

            return await next(context).ConfigureAwait(false);
        });

        group.MapGet("/", (HttpContext http, CancellationToken ct) => ModelPages.ModelsAsync(new DashboardRequest(http, site), ct));
        group.MapGet("/models/{model}", (HttpContext http, string model, CancellationToken ct) => ModelPages.ModelAsync(new DashboardRequest(http, site), model, ct));
        group.MapGet("/models/{model}/versions/{version:int}", (HttpContext http, string model, int version, CancellationToken ct) => ModelPages.VersionAsync(new DashboardRequest(http, site), model, version, ct));
        group.MapGet("/models/{model}/diff", (HttpContext http, string model, int? from, int? to, CancellationToken ct) => ModelPages.DiffAsync(new DashboardRequest(http, site), model, from, to, ct));
        group.MapGet("/models/{model}/runs/{runId}", (HttpContext http, string model, string runId, CancellationToken ct) => RunPages.RunAsync(new DashboardRequest(http, site), model, runId, ct));
        group.MapGet("/models/{model}/runs/{runId}/live", (HttpContext http, string model, string runId, CancellationToken ct) =>
            site.Monitor(http.RequestServices) is { } monitor && monitor.Find(runId) is { } live && live.ModelName == model
                ? TypedResults.ServerSentEvents(LiveRunView.StreamAsync(monitor, runId, ct))
                : Results.NotFound());
        group.MapGet("/approvals", (HttpContext http, CancellationToken ct) => ApprovalPages.InboxAsync(new DashboardRequest(http, site), ct));
        group.MapPost("/approvals/{id}/approve", (HttpContext http, string id, CancellationToken ct) => ApprovalPages.VoteAsync(new DashboardRequest(http, site), id, approve: true, ct)).DisableAntiforgery().WithFormOptions(multipartBodyLengthLimit: MaxFormBytes, valueLengthLimit: MaxFormBytes);
        group.MapPost("/approvals/{id}/reject", (HttpContext http, string id, CancellationToken ct) => ApprovalPages.VoteAsync(new DashboardRequest(http, site), id, approve: false, ct)).DisableAntiforgery().WithFormOptions(multipartBodyLengthLimit: MaxFormBytes, valueLengthLimit: MaxFormBytes);
        group.MapPost("/models/{model}/rollback", (HttpContext http, string model, CancellationToken ct) => ApprovalPages.RollbackAsync(new DashboardRequest(http, site), model, ct)).DisableAntiforgery().WithFormOptions(multipartBodyLengthLimit: MaxFormBytes, valueLengthLimit: MaxFormBytes);
        group.MapGet("/rollouts", async (HttpContext http) =>
        {
            var request = new DashboardRequest(http, site);
            return RolloutPages.Rollouts(request, await request.CanRollBackAsync().ConfigureAwait(false));
        });
        group.MapPost("/rollouts/{model}/{action}", (HttpContext http, string model, string action, CancellationToken ct) => RolloutPages.ActAsync(new DashboardRequest(http, site), model, action, ct)).DisableAntiforgery().WithFormOptions(multipartBodyLengthLimit: MaxFormBytes, valueLengthLimit: MaxFormBytes);
        group.MapGet("/assets/{file}", (HttpContext http, string file) =>
        {
            if (!site.Assets.TryGet(file, out var content, out var type))
            {
                return Results.NotFound();
            }

            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable"; // the URL carries the content's hash
            return Results.Bytes(content, type);
        });
        group.MapGet("/events", (HttpContext http, string? last, CancellationToken ct) =>
        {
            var resumeFrom = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? last;
            return TypedResults.ServerSentEvents(ChangesAsync(site.Changes(http.RequestServices), resumeFrom, ct));
        });
        return group;
    }

    /// <summary>Adds what the dashboard needs: antiforgery tokens and authorization.</summary>
    /// <param name="services">The host's services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddRetrainingDashboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAntiforgery();
        services.AddAuthorization();
        return services;
    }

    // The connection's own address (behind a proxy, the host's UseForwardedHeaders decides what it is), and
    // a Host naming this machine: a page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) is refused.
    private static bool IsLocal(HttpContext http)
    {
        if (http.Connection.RemoteIpAddress is not { } address || !IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address))
        {
            return false;
        }

        var host = http.Request.Host.Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var named) && IPAddress.IsLoopback(named));
    }

    // Each page gets the current state's id at once (its first event), then one event per change. A page
    // that names the id it saw last hears at once whether anything changed while it was away. A client
    // that does not read only holds its own connection: nothing is buffered for it.
    private static async IAsyncEnumerable<SseItem<string>> ChangesAsync(ChangeFeed feed, string? last, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = true;
        var quiet = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            string state;
            try
            {
                state = await feed.CurrentAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            if (first || state != last)
            {
                yield return new SseItem<string>(first && last is not null && state != last ? "changed-while-away" : "changed", "change") { EventId = state };
                last = state;
                first = false;
                quiet = 0;
            }
            else if (++quiet * feed.Interval >= Heartbeat)
            {
                // The same id again: the page ignores it, and proxies see a stream that is alive.
                yield return new SseItem<string>("unchanged", "change") { EventId = state };
                quiet = 0;
            }

            try
            {
                await Task.Delay(feed.Interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }
}
