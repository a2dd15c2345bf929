using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion;

/// <summary>
/// The smallest real sender authentication for the example: <c>Authorization: Bearer &lt;key&gt;</c>, compared in
/// constant time with the key the host was given, signs in as <c>uploader</c> with the role <c>uploader</c>.
/// A production host uses its own scheme (JWT bearer, mTLS, an API gateway); the endpoint only needs an
/// authenticated user and the dataset's policy.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..]);
        var expected = Encoding.UTF8.GetBytes(Options.Key);
        if (!CryptographicOperations.FixedTimeEquals(given, expected))
        {
            return Task.FromResult(AuthenticateResult.Fail("Wrong API key."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "uploader"), new Claim(ClaimTypes.Role, "uploader")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
