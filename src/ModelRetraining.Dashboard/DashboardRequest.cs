using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ModelRetraining.Dashboard;

/// <summary>One request to the dashboard: what it reads, where its links point, and what its user may do.</summary>
internal sealed class DashboardRequest(HttpContext http, DashboardSite site)
{
    public HttpContext Http => http;

    public DashboardSite Site => site;

    public IModelRegistry Registry => site.Registry(http.RequestServices);

    public IApprovalStore? Approvals => site.Options.Approvals ?? Registry.GetService<IApprovalStore>();

    public RunMonitor? Monitor => site.Monitor(http.RequestServices);

    public IReadOnlyList<ModelRetraining.Serving.IRolloutControl> RolloutServers => site.RolloutServers(http.RequestServices);

    public TimeProvider Time => site.Options.TimeProvider ?? TimeProvider.System;

    /// <summary>Gets the dashboard's root URL, path base included (it works under a nested path behind a proxy).</summary>
    public string Root => $"{http.Request.PathBase}{site.Prefix}";

    public string? User => http.User.Identity?.IsAuthenticated == true && http.User.Identity.Name is { Length: > 0 } name ? name : null;

    public Task<bool> CanApproveAsync() => AllowedAsync(site.Options.ApprovePolicy, requireUser: true);

    public Task<bool> CanRollBackAsync() => site.Options.RollbackPolicy is null ? Task.FromResult(false) : AllowedAsync(site.Options.RollbackPolicy, requireUser: true);

    public string AntiforgeryField()
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var html = new Html().Raw("<input type=\"hidden\" name=\"").Attribute(tokens.FormFieldName).Raw("\" value=\"").Attribute(tokens.RequestToken).Raw("\">");
        return html.ToString();
    }

    private async Task<bool> AllowedAsync(string? policy, bool requireUser)
    {
        if (requireUser && User is null)
        {
            return false;
        }

        if (policy is null)
        {
            return true;
        }

        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(http.User, policy).ConfigureAwait(false)).Succeeded;
    }
}
