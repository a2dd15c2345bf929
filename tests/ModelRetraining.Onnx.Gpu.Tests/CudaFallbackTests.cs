using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.MLNet;

namespace ModelRetraining.Onnx.Gpu.Tests;

/// <summary>
/// With the CUDA build of ONNX Runtime: on a machine with a usable CUDA device the model runs there; on one
/// without (this CI machine), the probe says why, a model falls back to the CPU provider of the same
/// native runtime with a warning, and <see cref="OnnxModelOptions.RequireGpu"/> makes that an error.
/// </summary>
public sealed class CudaFallbackTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-onnx-gpu-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<(ModelArtifact Onnx, DatasetSnapshot Data, float[] Expected)> ExportedModelAsync()
    {
        Directory.CreateDirectory(_folder);
        var random = new Random(3);
        var text = new StringBuilder("date,x,z,y\n");
        for (var i = 0; i < 2_000; i++)
        {
            var (x, z) = (random.NextDouble() * 4 - 2, random.NextDouble());
            text.Append(CultureInfo.InvariantCulture, $"2001-01-01 00:00:00,{x:0.####},{z:0.####},{(x + z + (random.NextDouble() - 0.5) > 0.5 ? "true" : "false")}\n");
        }

        var path = Path.Combine(_folder, "data.csv");
        await File.WriteAllTextAsync(path, text.ToString());
        var context = new RetrainingContext("gpu", "test", TimeProvider.System);
        var data = await CsvDataSource.FromFile(path, new CsvSchema().Time("date").Numeric("x").Numeric("z").Boolean("y").Label("y")).LoadAsync(context);
        var ml = new MLContext(0);
        var trained = ml.Transforms.Concatenate("Features", "x", "z").Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "y", numberOfTrees: 10)).Fit(data.Data);
        using var stream = new MemoryStream();
        ml.Model.Save(trained, data.Data.Schema, stream);
        var expected = trained.Transform(data.Data).GetColumn<float>("Probability").ToArray();
        return (OnnxExport.FromMLNet(new ModelArtifact("mlnet", "model.zip", stream.ToArray()), data), data, expected);
    }

    [Fact]
    public async Task DefaultProviders_RunOnCudaWhereUsable_ElseOnTheCpuWithAWarningNamingTheReason()
    {
        var (onnx, data, expected) = await ExportedModelAsync();
        var usable = CudaProbe.IsUsable(0, out var reason);
        var logger = new ListLogger();

        using var model = OnnxModel.Load(onnx, new OnnxModelOptions(), logger);
        var scores = model.Score(data);

        Assert.True(expected.Zip(scores, (e, a) => Math.Abs(e - a)).Max() < 1e-5);
        if (usable)
        {
            Assert.Null(reason);
            Assert.Equal(OnnxExecutionProvider.Cuda, model.ExecutionProvider);
            Assert.Empty(logger.Warnings);
        }
        else
        {
            Assert.StartsWith("CUDA device 0 cannot be used: ", reason, StringComparison.Ordinal);
            Assert.Equal(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
            var warning = Assert.Single(logger.Warnings);
            Assert.Contains("runs on Cpu: the preferred execution provider could not be used (Cuda: ", warning, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RequireGpu_WithoutAUsableDevice_IsAnErrorNamingTheDevice()
    {
        var (onnx, _, _) = await ExportedModelAsync();
        var options = new OnnxModelOptions { RequireGpu = true, DeviceId = CudaProbe.IsUsable(0, out _) ? 4_095 : 0 };

        var error = Assert.Throws<InvalidOperationException>(() => OnnxModel.Load(onnx, options));

        Assert.Contains($"must run on a GPU (RequireGpu) but CUDA device {options.DeviceId} cannot be used", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_RefusesANegativeDevice() => Assert.Throws<ArgumentOutOfRangeException>(() => CudaProbe.IsUsable(-1, out _));

    private sealed class ListLogger : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
