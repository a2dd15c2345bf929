using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using QuickStart;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// Story: a reader copies code from the README or docs/. That code is a marked region of a file in
/// examples/, which compiles with the build; this test checks that every marked block in the Markdown
/// is exactly that region, so the docs cannot drift from code that compiles.
/// </summary>
public partial class DocumentationSnippetTests
{
    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ModelRetraining.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("ModelRetraining.sln not found above the test binaries.");
    }

    private static Dictionary<string, string> Regions(string root)
    {
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "examples"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match match in RegionPattern().Matches(File.ReadAllText(file)))
            {
                regions[match.Groups["name"].Value] = Dedent(match.Groups["body"].Value);
            }
        }

        return regions;
    }

    private static string Dedent(string text)
    {
        var lines = text.Replace("\r", string.Empty, StringComparison.Ordinal).Trim('\n').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).TrimEnd();
    }

    [Fact]
    public void MarkdownSnippets_MatchTheCompiledExampleRegions()
    {
        var root = RepositoryRoot();
        var regions = Regions(root);
        Assert.Contains("pipeline", regions.Keys);
        Assert.Contains("di", regions.Keys);
        var markdown = new[] { Path.Combine(root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories));
        var checkedBlocks = 0;
        foreach (var file in markdown)
        {
            foreach (Match match in MarkdownPattern().Matches(File.ReadAllText(file).Replace("\r", string.Empty, StringComparison.Ordinal)))
            {
                var name = match.Groups["name"].Value;
                Assert.True(regions.ContainsKey(name), $"{file} cites snippet '{name}', which no example marks");
                Assert.Equal(regions[name], match.Groups["body"].Value.TrimEnd());
                checkedBlocks++;
            }
        }

        Assert.True(checkedBlocks >= 2, $"only {checkedBlocks} snippet blocks found in the docs");
    }

    [Fact]
    public async Task DependencyInjectionExample_ResolvesAPipelineThatUsesTheEmbeddedRegistry()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mr-di-example", Guid.NewGuid().ToString("N"));
        await using var provider = DependencyInjectionExample.Build(folder, FlightDelays.DataFile);
        var pipeline = provider.GetRequiredKeyedService<RetrainingPipeline>("flight-delays");
        Assert.Equal("flight-delays", pipeline.ModelName);
        Assert.Null(await pipeline.Registry.GetAliasAsync("flight-delays", ModelAliases.Champion));
    }

    [GeneratedRegex(@"// <snippet:(?<name>[a-z-]+)>\r?\n(?<body>.*?)\r?\n[ \t]*// </snippet:\k<name>>", RegexOptions.Singleline)]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"<!-- snippet: (?<name>[a-z-]+) -->\n```csharp\n(?<body>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex MarkdownPattern();
}
