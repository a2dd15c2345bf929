using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DashboardExample;

/// <summary>
/// The example's sign-in: every request is the machine's user (the dashboard serves loopback requests
/// only, so that is who is at the keyboard). A real host uses its own scheme (cookies, OpenID Connect).
/// </summary>
public sealed class LocalUser(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LocalUser";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var name = Environment.UserName is { Length: > 0 } user ? user : "operator";
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
