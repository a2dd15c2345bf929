using System.Diagnostics;
using System.Globalization;
using ModelRetraining.MLNet;
using ModelRetraining.Onnx;
using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Rows per second of the exported flight-delay LightGBM model on ONNX Runtime at batch sizes 1, 64,
/// 4,096 and 65,536, on the provider asked for (cpu or cuda; cuda requires a GPU: no fallback).
/// </summary>
internal static class OnnxThroughputMeasurement
{
    public static int Run(string provider)
    {
        var wanted = provider.Equals("cuda", StringComparison.OrdinalIgnoreCase) ? OnnxExecutionProvider.Cuda : OnnxExecutionProvider.Cpu;
        var train = BenchmarkFlights.Load(new(2001, 1, 1), new(2001, 1, 15));
        var data = BenchmarkFlights.Load(new(2001, 3, 1), new(2001, 7, 1));
        var onnx = OnnxExport.FromMLNet(BenchmarkFlights.Train(train), train);

        Console.WriteLine($"| batch size | rows scored | seconds | rows/s | provider |");
        Console.WriteLine($"| ---: | ---: | ---: | ---: | --- |");
        foreach (var batch in new[] { 1, 64, 4_096, 65_536 })
        {
            var options = new OnnxModelOptions { BatchSize = batch, RequireGpu = wanted == OnnxExecutionProvider.Cuda };
            options.ExecutionProviders.Clear();
            options.ExecutionProviders.Add(wanted);
            using var model = OnnxModel.Load(onnx, options);
            var rows = batch == 1 ? 20_000 : (int)data.RowCount;
            var sample = data with { Data = new HeadDataView(data.Data, rows), RowCount = rows };
            model.Score(sample); // warm-up: first calls allocate the arena and, on CUDA, compile kernels
            var clock = Stopwatch.StartNew();
            var scored = 0;
            for (var repeat = 0; repeat < 3; repeat++)
            {
                scored += model.Score(sample).Length;
            }

            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {batch:N0} | {scored:N0} | {seconds:F2} | {scored / seconds:N0} | {model.ExecutionProvider} |"));
        }

        return 0;
    }
}
