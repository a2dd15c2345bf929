using Microsoft.AspNetCore.Authentication;

namespace Ingestion;

/// <summary>The key senders must present.</summary>
public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    public string Key { get; set; } = string.Empty;
}
