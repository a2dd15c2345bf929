using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using ModelRetraining.MLNet;
using ModelRetraining.Serving;
using ModelRetraining.Testing;
using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// What does the model server add per prediction over calling ML.NET's prediction engine directly? The
/// same LightGBM flight-delay model, 10,000 single-row predictions per thread, on one thread and on 8
/// (the direct side gets one engine per thread, since an engine is not thread-safe); and the server on 8
/// threads while the champion swaps between two versions as fast as it can.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 5, iterationCount: 20)]
[MemoryDiagnoser]
public class ServingOverheadBenchmarks
{
    private const int PerThread = 10_000;
    private FlightRow[] _rows = [];
    private PredictionEngine<FlightRow, FlightScore>[] _engines = [];
    private ModelServer<FlightRow, FlightScore> _server = null!;
    private InMemoryModelRegistry _registry = null!;

    [GlobalSetup]
    public void Setup()
    {
        var first = BenchmarkFlights.Load(new(2001, 1, 1), new(2001, 1, 15));
        var second = BenchmarkFlights.Load(new(2001, 1, 15), new(2001, 2, 1));
        var v1 = BenchmarkFlights.Train(first);
        var v2 = BenchmarkFlights.Train(second);

        var ml = new MLContext(0);
        _rows = [.. ml.Data.CreateEnumerable<FlightRow>(second.Data, reuseRowObject: false).Take(PerThread)];
        ITransformer model;
        using (var stream = new MemoryStream(v1.Content.ToArray()))
        {
            model = ml.Model.Load(stream, out _);
        }

        _engines = [.. Enumerable.Range(0, 8).Select(_ => ml.Model.CreatePredictionEngine<FlightRow, FlightScore>(model))];

        _registry = new InMemoryModelRegistry();
        _registry.RegisterVersionAsync(new NewModelVersion("flight-delays", v1, "bench")).AsTask().GetAwaiter().GetResult();
        _registry.RegisterVersionAsync(new NewModelVersion("flight-delays", v2, "bench")).AsTask().GetAwaiter().GetResult();
        _registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, 1, null, "bench", "start")).AsTask().GetAwaiter().GetResult();
        _server = new ModelServer<FlightRow, FlightScore>(_registry, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1), MaxPendingOutcomes = 100_000 });
        _server.StartAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var engine in _engines)
        {
            engine.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "engine, 1 thread")]
    public float Direct1() => Direct(0);

    [Benchmark(Description = "server, 1 thread")]
    public float Server1() => Served();

    [Benchmark(Description = "engine, 8 threads")]
    public float Direct8() => Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8).Select(Direct).Sum();

    [Benchmark(Description = "server, 8 threads")]
    public float Server8() => Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8).Select(_ => Served()).Sum();

    [Benchmark(Description = "server, 8 threads, swapping")]
    public float Server8Swapping()
    {
        using var stop = new CancellationTokenSource();
        var swaps = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var from = _server.Current!.Version;
                await _registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, 3 - from, from, "bench", "swap"));
                await _server.RefreshAsync();
            }
        });
        var sum = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8).Select(_ => Served()).Sum();
        stop.Cancel();
        swaps.GetAwaiter().GetResult();
        return sum;
    }

    private float Direct(int engine)
    {
        var output = new FlightScore();
        var sum = 0f;
        foreach (var row in _rows)
        {
            _engines[engine].Predict(row, ref output);
            sum += output.Probability;
        }

        return sum;
    }

    private float Served()
    {
        var sum = 0f;
        foreach (var row in _rows)
        {
            sum += _server.Predict(row).Output.Probability;
        }

        return sum;
    }
}
