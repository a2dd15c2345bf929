using System.Text.Json;
using System.Xml.Linq;

namespace ModelRetraining.Abstractions.Tests;

/// <summary>
/// The package graph is a star around core (docs/architecture.md): each adapter references Abstractions
/// and core only, except a package that exists to extend another; no package opens its internals to
/// another package; and a consumer of ONNX serving does not restore ML.NET.
/// </summary>
public class PackageGraphTests
{
    // The only adapter-to-adapter arrows the architecture allows: a package that exists to extend one.
    private static readonly Dictionary<string, string[]> Extends = new(StringComparer.Ordinal)
    {
        ["ModelRetraining.Onnx.Gpu"] = ["ModelRetraining.Onnx"],
        ["ModelRetraining.Testing.Conformance"] = ["ModelRetraining.Testing"],

        // The dashboard's rollouts view reads and steers model servers' rollouts (IRolloutControl).
        ["ModelRetraining.Dashboard"] = ["ModelRetraining.Serving"],

        // mrt is an application, a composition root like a host: it reads Parquet files for drift and profile,
        // and opens PostgreSQL registries.
        ["ModelRetraining.Cli"] = ["ModelRetraining.Parquet", "ModelRetraining.PostgreSql"],
    };

    private static readonly string[] Hub = ["ModelRetraining.Abstractions", "ModelRetraining"];

    public static TheoryData<string> Packages()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.GetDirectories(Path.Combine(RepositoryRoot(), "src")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(folder));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_ReferencesOnlyTheHubOrThePackageItExtends(string package)
    {
        var allowed = package switch
        {
            "ModelRetraining.Abstractions" => [],
            "ModelRetraining" => ["ModelRetraining.Abstractions"],
            _ => Hub.Concat(Extends.GetValueOrDefault(package) ?? []).ToArray(),
        };

        var references = Project(package).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value))
            .ToArray();

        Assert.All(references, r => Assert.True(allowed.Contains(r), $"{package} references {r}; allowed: {string.Join(", ", allowed)} (docs/architecture.md)."));
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_OpensItsInternalsOnlyToTestsAndBenchmarks(string package)
    {
        var friends = Project(package).Descendants("InternalsVisibleTo")
            .Select(r => r.Attribute("Include")!.Value)
            .Where(f => !f.EndsWith(".Tests", StringComparison.Ordinal) && f != "ModelRetraining.Benchmarks")
            .ToArray();

        Assert.True(friends.Length == 0, $"{package} opens its internals to {string.Join(", ", friends)}: make what they need public API or move it where it is used.");
    }

    [Fact]
    public void TestingPackage_HasNoTestFrameworkDependency()
    {
        var packages = Project("ModelRetraining.Testing").Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).ToArray();

        Assert.DoesNotContain(packages, p => p.StartsWith("xunit", StringComparison.OrdinalIgnoreCase) || p.StartsWith("NUnit", StringComparison.OrdinalIgnoreCase) || p.StartsWith("MSTest", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void OnnxPackage_DoesNotRestoreMLNet()
    {
        var assets = Path.Combine(RepositoryRoot(), "src", "ModelRetraining.Onnx", "obj", "project.assets.json");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        var libraries = json.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).ToArray();

        Assert.Contains("Microsoft.ML.OnnxRuntime.Managed", libraries);
        Assert.DoesNotContain("Microsoft.ML", libraries);
        Assert.DoesNotContain(libraries, l => l.StartsWith("Microsoft.ML.LightGbm", StringComparison.Ordinal) || l.StartsWith("Microsoft.ML.FastTree", StringComparison.Ordinal) || l == "ModelRetraining.MLNet");
    }

    private static XDocument Project(string package)
        => XDocument.Load(Path.Combine(RepositoryRoot(), "src", package, package + ".csproj"));

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ModelRetraining.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("ModelRetraining.sln not found above the test binaries.");
    }
}
