using Microsoft.ML;
using ModelRetraining.MLNet;
using ModelRetraining.Onnx;
using ModelRetraining.Testing;
using QuickStart;

namespace ModelRetraining.Serving.Tests;

/// <summary>The server on ONNX Runtime: the version's <c>model.onnx</c> attachment answers like the ML.NET artifact; a model that does not fit the row types is not swapped in.</summary>
public class OnnxServingTests
{
    // The flight-delay LightGBM as champion v1, with its ONNX export attached; a server configured for ONNX Runtime on the CPU.
    private static async Task<(InMemoryModelRegistry Registry, ModelArtifact Model, ModelServerOptions Options)> ChampionWithOnnxExportAsync()
    {
        var (train, model) = await FlightRows.TrainAsync(new(2001, 1, 1), new(2001, 1, 15));
        var registry = new InMemoryModelRegistry();
        await registry.RegisterVersionAsync(new NewModelVersion("flight-delays", model, "tests") { Attachments = new Dictionary<string, ModelArtifact> { [AttachmentNames.Onnx] = OnnxExport.FromMLNet(model, train) } });
        await registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, 1, null, "tests", "first"));
        var onnx = new OnnxModelOptions();
        onnx.ExecutionProviders.Remove(OnnxExecutionProvider.Cuda);
        // ONNX first: the version is ML.NET-trained, and its export is what this server runs.
        var options = new ModelServerOptions { Loaders = { new OnnxModelLoader(onnx), new MLNetModelLoader() } };
        return (registry, model, options);
    }

    [Fact]
    public async Task OnnxRuntime_ServesTheExportedModel_WithMLNetsAnswers()
    {
        var (registry, model, options) = await ChampionWithOnnxExportAsync();
        await using var server = new ModelServer<FlightRow, FlightScore>(registry, "flight-delays", options);
        server.SwapFailed += (_, e) => throw new InvalidOperationException("swap failed", e.Error);
        await server.StartAsync();

        var ml = new MLContext(0);
        using var stream = new MemoryStream(model.Content.ToArray());
        using var engine = ml.Model.CreatePredictionEngine<FlightRow, FlightScore>(ml.Model.Load(stream, out _));
        var rows = (await FlightRows.LoadAsync(new(2001, 2, 1), new(2001, 2, 2))).Take(500).ToArray();

        var worst = rows.Max(row => Math.Abs(server.Predict(row).Output.Probability - engine.Predict(row).Probability));
        Assert.True(worst < 1e-5, $"largest difference {worst}");
    }

    [Fact]
    public async Task OnnxModelThatDoesNotFitTheRowTypes_IsNotSwappedIn_NamingTheMember()
    {
        var (registry, _, options) = await ChampionWithOnnxExportAsync();
        await using var server = new ModelServer<WrongRow, FlightScore>(registry, "flight-delays", options);
        ModelSwapFailedEventArgs? failure = null;
        server.SwapFailed += (_, e) => failure = e;

        await server.StartAsync();

        Assert.Null(server.Current);
        Assert.Contains("input 'origin' has no member of that name in WrongRow", failure!.Error.Message, StringComparison.Ordinal);
    }

    public sealed class WrongRow
    {
        public float Distance { get; set; }
    }
}
