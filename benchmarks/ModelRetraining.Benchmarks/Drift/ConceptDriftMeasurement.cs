using System.Globalization;
using System.Text;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Detection delay and false alarms of the concept-drift detectors (River's defaults) on generated
/// streams with a known change point: 100 seeded streams per case, change at value 2,000 of 4,000.
/// </summary>
internal static class ConceptDriftMeasurement
{
    public static int Run(string? output)
    {
        var cases = new (string Name, Func<Random, int, double> Value)[]
        {
            ("error rate 0.10 -> 0.40 (0/1 errors)", (r, t) => r.NextDouble() < (t < 2_000 ? 0.10 : 0.40) ? 1 : 0),
            ("error rate 0.20 -> 0.30 (0/1 errors)", (r, t) => r.NextDouble() < (t < 2_000 ? 0.20 : 0.30) ? 1 : 0),
            ("loss N(0,1) -> N(1,1) (real-valued)", (r, t) => Gaussian(r) + (t < 2_000 ? 0 : 1)),
        };
        var detectors = new (string Name, Func<IConceptDriftDetector> Create, bool Binary)[]
        {
            ("ADWIN (delta 0.002)", () => ConceptDrift.Adwin(), false),
            ("DDM (2.0 / 3.0)", () => ConceptDrift.Ddm(), true),
            ("EDDM (0.95 / 0.9)", () => ConceptDrift.Eddm(), true),
            ("Page-Hinkley (50, 0.005)", () => ConceptDrift.PageHinkley(), false),
            ("KSWIN (0.005, 100, 30)", () => ConceptDrift.Kswin(), false),
        };
        var text = new StringBuilder();
        text.AppendLine("| stream | detector | detected after the change | mean delay (values) | median delay | false alarms before the change (per stream) |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (caseName, value) in cases)
        {
            foreach (var (name, create, binary) in detectors)
            {
                if (binary && caseName.Contains("real-valued", StringComparison.Ordinal))
                {
                    continue;
                }

                var delays = new List<int>();
                var falseAlarms = 0;
                for (var seed = 0; seed < 100; seed++)
                {
                    var random = new Random(seed);
                    var detector = create();
                    int? delay = null;
                    for (var t = 0; t < 4_000; t++)
                    {
                        if (detector.Add(value(random, t)) == ConceptDriftState.Drift)
                        {
                            if (t < 2_000)
                            {
                                falseAlarms++;
                            }
                            else
                            {
                                delay ??= t - 2_000;
                            }
                        }
                    }

                    if (delay is { } d)
                    {
                        delays.Add(d);
                    }
                }

                delays.Sort();
                text.AppendLine(CultureInfo.InvariantCulture, $"| {caseName} | {name} | {delays.Count}% | {(delays.Count == 0 ? "-" : delays.Average().ToString("0", CultureInfo.InvariantCulture))} | {(delays.Count == 0 ? "-" : delays[delays.Count / 2].ToString(CultureInfo.InvariantCulture))} | {falseAlarms / 100.0:0.00} |");
            }
        }

        Console.Write(text);
        if (output is not null)
        {
            File.WriteAllText(output, text.ToString());
        }

        return 0;
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
