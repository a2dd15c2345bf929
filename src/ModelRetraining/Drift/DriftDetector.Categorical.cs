namespace ModelRetraining;

/// <content>Categories (and numeric columns of few values, compared as categories): chi-squared, the Z-test and shares.</content>
public sealed partial class DriftDetector
{
    private ColumnDriftResult Categorical(DriftMethod method, double threshold, IReadOnlyDictionary<string, long> referenceCounts, IReadOnlyDictionary<string, long> currentCounts, ColumnDriftResult result)
    {
        var categories = referenceCounts.Keys.Union(currentCounts.Keys, StringComparer.Ordinal).OrderByDescending(k => referenceCounts.GetValueOrDefault(k)).ThenBy(k => k, StringComparer.Ordinal).ToArray();
        double referenceTotal = referenceCounts.Values.Sum(), currentTotal = currentCounts.Values.Sum();
        var r = categories.Select(k => referenceCounts.GetValueOrDefault(k) / referenceTotal).ToArray();
        var c = categories.Select(k => currentCounts.GetValueOrDefault(k) / currentTotal).ToArray();
        var linf = DriftStatistics.LInfinity(r, c);
        var bins = categories.Take(12).Select((k, i) => new DriftBin(k, r[i], c[i])).ToList();
        if (categories.Length > 12)
        {
            bins.Add(new DriftBin("(others)", r.Skip(12).Sum(), c.Skip(12).Sum()));
        }

        var newCategories = categories.Where(k => !referenceCounts.ContainsKey(k)).ToArray();
        result = result with { Bins = bins, EffectSize = linf };
        switch (method)
        {
            case DriftMethod.ChiSquared:
            {
                double statistic, p;
                if (newCategories.Length > 0)
                {
                    (statistic, p) = (double.PositiveInfinity, 0);
                }
                else
                {
                    var expected = r.Select(share => share * currentTotal).ToArray();
                    var observed = categories.Select(k => (double)currentCounts.GetValueOrDefault(k)).ToArray();
                    (statistic, p) = categories.Length < 2 ? (0, 1) : DriftStatistics.ChiSquared(observed, expected);
                }

                var significant = p < threshold;
                var large = linf >= _options.CategoricalEffectSizeFloor;
                var news = newCategories.Length > 0 ? $" {newCategories.Length} {(newCategories.Length == 1 ? "category is" : "categories are")} new ({string.Join(", ", newCategories.Take(5))})." : string.Empty;
                var reason = significant && !large
                    ? $"Chi-squared = {Number(statistic)}, p = {P(p)} < {Number(threshold)}, but no category's share moved by {Number(_options.CategoricalEffectSizeFloor)} or more (largest {Number(linf)}): not drift.{news}"
                    : $"Chi-squared = {Number(statistic)} over {categories.Length} categories, p = {P(p)} {(significant ? "<" : ">=")} {Number(threshold)}; largest share change {Number(linf)}: {(significant ? "drift" : "no drift")}.{news}";
                return result with { Statistic = statistic, PValue = p, ExactPValue = false, Drifted = significant && large, Reason = reason };
            }

            case DriftMethod.ZTest when categories.Length <= 2:
            {
                // The share of one of the (at most) two values; which one does not change |z|.
                var second = categories.Length == 2 ? categories[1] : categories[0];
                var (z, p) = categories.Length < 2
                    ? (0, 1)
                    : DriftStatistics.TwoProportionZ(referenceCounts.GetValueOrDefault(second), referenceTotal, currentCounts.GetValueOrDefault(second), currentTotal);
                var significant = p < threshold;
                var large = linf >= _options.CategoricalEffectSizeFloor;
                var reason = significant && !large
                    ? $"Z-test z = {Number(z)}, p = {P(p)} < {Number(threshold)}, but the share moved by less than {Number(_options.CategoricalEffectSizeFloor)} ({Number(linf)}): not drift."
                    : $"Z-test of the two values' shares ({Number(r[0])} → {Number(c[0])} '{categories[0]}'), z = {Number(z)}, p = {P(p)} {(significant ? "<" : ">=")} {Number(threshold)}: {(significant ? "drift" : "no drift")}.";
                return result with { Statistic = Math.Abs(z), PValue = p, ExactPValue = false, Drifted = significant && large, Reason = reason };
            }

            case DriftMethod.ZTest:
                return result with { Drifted = true, Reason = $"The Z-test compares two values; the column has {categories.Length}: use ChiSquared." };

            default:
                return Shares(method, threshold, r, c, result, $"over {categories.Length} categories");
        }
    }

    // The largest number of distinct values of a numeric column compared as categories by an explicit ZTest or ChiSquared.
    private const int MaxExactValues = 1_000;

    // The counts of each value of a numeric column on both sides, when reference and current together hold at
    // most maxValues distinct values; otherwise null. An exact side counts its sorted values; a profile side
    // (the champion's stored sketch) is read at its retained items, which hold every value when there are so
    // few, and whose distinct-count estimate must agree.
    private static (Dictionary<string, long> Reference, Dictionary<string, long> Current)? NumericValueCounts(DriftSample reference, DriftSample current, int maxValues)
    {
        var r = ValueCounts(reference, maxValues);
        var c = r is null ? null : ValueCounts(current, maxValues);
        if (r is null || c is null || r.Keys.Union(c.Keys).Count() > maxValues)
        {
            return null;
        }

        static Dictionary<string, long> Keyed(SortedDictionary<double, long> counts)
            => counts.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value, StringComparer.Ordinal);
        return (Keyed(r), Keyed(c));
    }

    private static SortedDictionary<double, long>? ValueCounts(DriftSample sample, int maxValues)
    {
        var counts = new SortedDictionary<double, long>();
        if (sample.Sorted is { } memory)
        {
            var sorted = memory.Span;
            for (var i = 0; i < sorted.Length;)
            {
                var j = i;
                while (j < sorted.Length && sorted[j] == sorted[i])
                {
                    j++;
                }

                counts[sorted[i]] = j - i;
                if (counts.Count > maxValues)
                {
                    return null;
                }

                i = j;
            }

            return counts;
        }

        if (sample.Profile is not { Sketch: not null } profile || profile.DistinctCount > maxValues)
        {
            return null;
        }

        var values = sample.GridPoints().Distinct().Order().ToArray();
        if (values.Length > maxValues)
        {
            return null;
        }

        var previous = 0.0;
        foreach (var value in values)
        {
            var cdf = sample.Cdf(value);
            counts[value] = (long)Math.Round((cdf - previous) * sample.Present);
            previous = cdf;
        }

        return counts;
    }

    private static ColumnDriftResult Shares(DriftMethod method, double threshold, double[] reference, double[] current, ColumnDriftResult result, string over)
    {
        var (score, label) = method switch
        {
            DriftMethod.PopulationStabilityIndex => (DriftStatistics.PopulationStabilityIndex(reference, current), "PSI"),
            DriftMethod.LInfinity => (DriftStatistics.LInfinity(reference, current), "L-infinity distance"),
            _ => (DriftStatistics.JensenShannon(reference, current), "Jensen-Shannon distance"),
        };
        var drifted = score >= threshold;
        return result with { Statistic = score, Drifted = drifted, Reason = $"{label} {Number(score)} {over} {(drifted ? ">=" : "<")} {Number(threshold)}: {(drifted ? "drift" : "no drift")}." };
    }
}
