using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using ModelRetraining.MLNet;
using ModelRetraining.Serving;
using ModelRetraining.Testing;

using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// The model server's overhead per prediction over ML.NET's prediction engine, measured interleaved: each
/// round times the engine and the server on the same 10,000 flight rows back to back (order alternating),
/// so that the machine's drift (a shared 2-core VM) falls on both sides; the ratio reported is the median
/// of the rounds' ratios. Also: the server during a 5% canary and a shadow rollout, and 8 threads with and
/// without the champion swapping (throughput during swaps, at the swap rate reported): back and forth
/// between two versions, a version never held every 100 ms, and such versions back to back.
/// </summary>
internal static class ServingOverheadMeasurement
{
    private const int Rows = 10_000;
    private const int Rounds = 25;

    public static int Run()
    {
        var first = BenchmarkFlights.Load(new(2001, 1, 1), new(2001, 1, 15));
        var second = BenchmarkFlights.Load(new(2001, 1, 15), new(2001, 2, 1));
        var v1 = BenchmarkFlights.Train(first);
        var v2 = BenchmarkFlights.Train(second);
        var ml = new MLContext(0);
        var rows = ml.Data.CreateEnumerable<FlightRow>(second.Data, reuseRowObject: false).Take(Rows).ToArray();
        ITransformer model;
        using (var stream = new MemoryStream(v1.Content.ToArray()))
        {
            model = ml.Model.Load(stream, out _);
        }

        var engines = Enumerable.Range(0, 8).Select(_ => ml.Model.CreatePredictionEngine<FlightRow, FlightScore>(model)).ToArray();
        var registry = new InMemoryModelRegistry();

        // v1 and v2, then four more copies of them (v3–v6) for swaps that always load a version not held.
        foreach (var artifact in new[] { v1, v2, v1, v2, v1, v2 })
        {
            registry.RegisterVersionAsync(new NewModelVersion("flight-delays", artifact, "bench")).AsTask().GetAwaiter().GetResult();
        }

        registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, 1, null, "bench", "start")).AsTask().GetAwaiter().GetResult();
        var server = new ModelServer<FlightRow, FlightScore>(registry, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) });
        server.StartAsync().GetAwaiter().GetResult();

        double Direct(int engine)
        {
            var output = new FlightScore();
            var sum = 0.0;
            foreach (var row in rows)
            {
                engines[engine].Predict(row, ref output);
                sum += output.Probability;
            }

            return sum;
        }

        double Served()
        {
            var sum = 0.0;
            foreach (var row in rows)
            {
                sum += server.Predict(row).Output.Probability;
            }

            return sum;
        }

        double Parallel8(Func<int, double> pass) => Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8).Select(pass).Sum();

        var single = Interleave(() => Direct(0), () => Served(), Rows);
        var eight = Interleave(() => Parallel8(Direct), () => Parallel8(_ => Served()), 8 * Rows);
        server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinLatencyIncrease = TimeSpan.FromSeconds(10) }).GetAwaiter().GetResult();
        var canary = Interleave(() => Direct(0), () => Served(), Rows);
        server.StopRolloutAsync("bench", "measured").GetAwaiter().GetResult();
        server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, Mode = RolloutMode.Shadow, MinLatencyIncrease = TimeSpan.FromSeconds(10) }).GetAwaiter().GetResult();
        var shadow = Interleave(() => Direct(0), () => Served(), Rows);
        server.StopRolloutAsync("bench", "measured").GetAwaiter().GetResult();

        // Three kinds of swaps under 8 callers: back and forth between two versions every 10 ms (the
        // standby makes each swap a pointer exchange; back to back, the swapping loop alone would take a
        // core), a version never held every 100 ms (each loaded and warmed on these same 2 cores), and
        // such versions back to back (a stress figure: far above any real promotion rate).
        var backAndForth = Swapping(server, registry, Parallel8, Served, next: from => from == 1 ? 2 : 1, every: TimeSpan.FromMilliseconds(10));
        var everyTenth = Swapping(server, registry, Parallel8, Served, next: from => 3 + (from % 4), every: TimeSpan.FromMilliseconds(100));
        var backToBack = Swapping(server, registry, Parallel8, Served, next: from => 3 + (from % 4), every: null);
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();

        var lines = new List<string>
        {
            "| measurement | baseline median | server median | median of round ratios | allocated per prediction |",
            "| --- | ---: | ---: | ---: | ---: |",
            Line("1 thread: engine vs server", single),
            Line("8 threads (2 cores): engines vs server", eight),
            Line("1 thread: engine vs server during a 5% canary", canary),
            Line("1 thread: engine vs server during a shadow rollout (every call mirrored)", shadow),
            Line($"8 threads: server vs server while swapping back and forth every 10 ms ({backAndForth.Rate:0} swaps/s)", backAndForth.Measured),
            Line($"8 threads: server vs server while a new version is loaded every 100 ms ({everyTenth.Rate:0.0} swaps/s)", everyTenth.Measured),
            Line($"8 threads: server vs server while new versions are loaded back to back ({backToBack.Rate:0} swaps/s)", backToBack.Measured),
        };
        Console.WriteLine(string.Join(Environment.NewLine, lines));
        Console.WriteLine();
        foreach (var (name, (measured, rate)) in new[] { ("back and forth every 10 ms", backAndForth), ("a new version every 100 ms", everyTenth), ("new versions back to back", backToBack) })
        {
            Console.WriteLine(FormattableString.Invariant($"Swapping {name}: {rate:0.0} swaps/s; throughput {8 * Rows / measured.Server.Median() * 1000:N0} predictions/s vs {8 * Rows / measured.Baseline.Median() * 1000:N0} without = {measured.Baseline.Median() / measured.Server.Median():P0} (median of round ratios {1 / measured.Ratios.Median():P0})."));
        }

        Console.WriteLine(FormattableString.Invariant($"{Rows:N0} predictions per thread per round, {Rounds} rounds."));
        return 0;
    }

    private static ((List<double> Baseline, List<double> Server, List<double> Ratios, double BytesPerPrediction) Measured, double Rate) Swapping(
        ModelServer<FlightRow, FlightScore> server, InMemoryModelRegistry registry, Func<Func<int, double>, double> parallel8, Func<double> served, Func<int, int> next, TimeSpan? every)
    {
        var swaps = 0;
        var swappingTime = TimeSpan.Zero;
        var measured = Interleave(
            () => parallel8(_ => served()),
            () =>
            {
                using var stop = new CancellationTokenSource();
                var started = Stopwatch.GetTimestamp();
                var swapper = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var from = server.Current!.Version;
                        await registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, next(from), from, "bench", "swap"));
                        await server.RefreshAsync();
                        Interlocked.Increment(ref swaps);
                        if (every is { } pause)
                        {
                            try
                            {
                                await Task.Delay(pause, stop.Token);
                            }
                            catch (OperationCanceledException)
                            {
                            }
                        }
                    }
                });
                var sum = parallel8(_ => served());
                stop.Cancel();
                swapper.GetAwaiter().GetResult();
                swappingTime += Stopwatch.GetElapsedTime(started);
                return sum;
            },
            8 * Rows);
        return (measured, swaps / swappingTime.TotalSeconds);
    }

    private static string Line(string name, (List<double> Baseline, List<double> Server, List<double> Ratios, double BytesPerPrediction) m)
        => FormattableString.Invariant($"| {name} | {m.Baseline.Median():0.0} ms | {m.Server.Median():0.0} ms | {m.Ratios.Median():0.000}× | {m.BytesPerPrediction:0} B |");

    private static (List<double> Baseline, List<double> Server, List<double> Ratios, double BytesPerPrediction) Interleave(Func<double> baseline, Func<double> served, int predictionsPerRound)
    {
        baseline();
        served();
        var (b, s, r) = (new List<double>(), new List<double>(), new List<double>());
        long allocated = 0;
        for (var round = 0; round < Rounds; round++)
        {
            double tb, ts;
            if (round % 2 == 0)
            {
                tb = Time(baseline);
                (ts, var bytes) = TimeAllocating(served);
                allocated += bytes;
            }
            else
            {
                (ts, var bytes) = TimeAllocating(served);
                allocated += bytes;
                tb = Time(baseline);
            }

            b.Add(tb);
            s.Add(ts);
            r.Add(ts / tb);
        }

        return (b, s, r, allocated / (double)Rounds / predictionsPerRound);
    }

    private static double Time(Func<double> pass)
    {
        var started = Stopwatch.GetTimestamp();
        pass();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static (double Milliseconds, long Bytes) TimeAllocating(Func<double> pass)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var ms = Time(pass);
        return (ms, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    private static double Median(this List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
