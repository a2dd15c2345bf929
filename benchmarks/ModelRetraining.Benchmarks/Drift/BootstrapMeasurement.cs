using System.Diagnostics;

namespace ModelRetraining.Benchmarks;

/// <summary>Paired bootstrap of AUC, 1,000 resamples of 100,000 rows: ours (sort once, Poisson weights) against the naive way (resample rows, re-sort, recompute), one core, one run.</summary>
internal static class BootstrapMeasurement
{
    public static int Run()
    {
        const int rows = 100_000, resamples = 1_000;
        var random = new Random(3);
        var labels = new float[rows];
        var candidate = new float[rows];
        var champion = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = random.NextDouble() < 0.2 ? 1 : 0;
            candidate[i] = (float)((0.3 * labels[i]) + random.NextDouble());
            champion[i] = (float)((0.25 * labels[i]) + random.NextDouble());
        }

        PairedStatistics.BootstrapDifferences("AUC", labels, candidate, champion, 10, 1); // warm-up
        var clock = Stopwatch.StartNew();
        var ours = PairedStatistics.BootstrapDifferences("AUC", labels, candidate, champion, resamples, 1);
        var oursSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var naive = new double[resamples];
        var sample = new Random(1);
        var l = new float[rows];
        var a = new float[rows];
        var b = new float[rows];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < rows; i++)
            {
                var k = sample.Next(rows);
                (l[i], a[i], b[i]) = (labels[k], candidate[k], champion[k]);
            }

            naive[r] = Auc(l, a) - Auc(l, b);
        }

        var naiveSeconds = clock.Elapsed.TotalSeconds;
        Array.Sort(naive);
        Console.WriteLine(FormattableString.Invariant($"paired bootstrap of AUC, {resamples} resamples x {rows} rows, one core: ours {oursSeconds:0.000} s, naive {naiveSeconds:0.000} s, ratio {naiveSeconds / oursSeconds:0.0}x; 95% interval ours [{PairedStatistics.Quantile(ours, 0.025):0.0000}, {PairedStatistics.Quantile(ours, 0.975):0.0000}], naive [{PairedStatistics.Quantile(naive, 0.025):0.0000}, {PairedStatistics.Quantile(naive, 0.975):0.0000}]"));
        return 0;
    }

    private static double Auc(float[] labels, float[] scores)
    {
        var keys = (float[])scores.Clone();
        var order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(keys, order);
        var ones = new float[labels.Length];
        Array.Fill(ones, 1f);
        return PairedStatistics.WeightedAuc(labels, scores, ones, order);
    }
}
