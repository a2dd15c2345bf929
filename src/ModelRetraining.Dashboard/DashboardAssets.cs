using System.Security.Cryptography;

namespace ModelRetraining.Dashboard;

/// <summary>The stylesheet and script, embedded in the assembly and served under URLs that carry their hash, so they are cached for a year and a new package version is fetched at once.</summary>
internal sealed class DashboardAssets
{
    private readonly Dictionary<string, (byte[] Content, string ContentType)> _byUrl = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _urlByName = new(StringComparer.Ordinal);

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        foreach (var (name, type) in new[] { ("dashboard.css", "text/css; charset=utf-8"), ("dashboard.js", "text/javascript; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream($"Dashboard.{name}") ?? throw new InvalidOperationException($"The dashboard's asset '{name}' is not embedded in {assembly.GetName().Name}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var hash = Convert.ToHexStringLower(SHA256.HashData(content))[..12];
            var url = $"{Path.GetFileNameWithoutExtension(name)}.{hash}{Path.GetExtension(name)}";
            _byUrl[url] = (content, type);
            _urlByName[name] = url;
        }
    }

    /// <summary>Gets the hashed file name of an asset, as <c>dashboard.1a2b3c4d5e6f.css</c>.</summary>
    public string Url(string name) => _urlByName[name];

    public bool TryGet(string url, out byte[] content, out string contentType)
    {
        var found = _byUrl.TryGetValue(url, out var asset);
        (content, contentType) = found ? asset : ([], string.Empty);
        return found;
    }
}
