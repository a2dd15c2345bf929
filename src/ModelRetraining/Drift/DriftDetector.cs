using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace ModelRetraining;

/// <summary>
/// Compares a reference data set with a current one, column by column, and decides whether each column
/// and the data set as a whole drifted. Works on raw data (exact statistics) or on stored profiles
/// (sketch statistics with their error bound). Label drift and prediction drift are the same
/// comparison on the label or prediction column.
/// </summary>
public sealed class DriftDetector
{
    private readonly DriftOptions _options;

    /// <summary>Creates a detector.</summary>
    /// <param name="options">The settings, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message lists every problem.</exception>
    public DriftDetector(DriftOptions? options = null)
    {
        _options = options ?? new DriftOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(DriftOptions), typeof(DriftOptions), errors);
        }
    }

    /// <summary>Compares two data sets held in memory, with exact statistics.</summary>
    /// <param name="reference">The reference rows (the champion's training data).</param>
    /// <param name="current">The current rows (new data).</param>
    /// <param name="columns">The columns to compare; <see langword="null"/> compares every profilable column of the reference.</param>
    /// <param name="cancellationToken">Cancels the comparison.</param>
    /// <returns>The report.</returns>
    public DriftReport Compare(IDataView reference, IDataView current, IEnumerable<string>? columns = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var pairs = new List<(string Name, DataColumnKind Kind, Func<DriftSample> Reference, Func<DriftSample> Current, DataColumnKind? CurrentKind)>();
        foreach (var name in Names(columns, reference.Schema.Where(c => !c.IsHidden).Select(c => c.Name)))
        {
            var r = reference.Schema.GetColumnOrNull(name);
            var c = current.Schema.GetColumnOrNull(name);
            var rk = r is { } rc ? DataProfile.KindOf(rc.Type) : null;
            var ck = c is { } cc ? DataProfile.KindOf(cc.Type) : null;
            if (rk is null)
            {
                continue;
            }

            pairs.Add((name, rk.Value, () => DriftSample.FromData(reference, r!.Value, rk.Value, cancellationToken), () => DriftSample.FromData(current, c!.Value, ck!.Value, cancellationToken), ck));
        }

        return Run(pairs, reference.GetRowCount() ?? -1, current.GetRowCount() ?? -1);
    }

    /// <summary>Compares two stored profiles, with sketch statistics and their error bounds.</summary>
    /// <param name="reference">The reference profile (stored with the champion).</param>
    /// <param name="current">The current profile.</param>
    /// <param name="columns">The columns to compare; <see langword="null"/> compares every column of the reference.</param>
    /// <returns>The report.</returns>
    public DriftReport CompareProfiles(DataProfile reference, DataProfile current, IEnumerable<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var pairs = new List<(string, DataColumnKind, Func<DriftSample>, Func<DriftSample>, DataColumnKind?)>();
        foreach (var name in Names(columns, reference.Columns.Select(c => c.Name)))
        {
            if (reference[name] is not { } r)
            {
                continue;
            }

            var c = current[name];
            pairs.Add((name, r.Kind, () => DriftSample.FromProfile(r), () => DriftSample.FromProfile(c!), c?.Kind));
        }

        return Run(pairs, reference.RowCount, current.RowCount);
    }

    private IEnumerable<string> Names(IEnumerable<string>? requested, IEnumerable<string> all)
        => (requested ?? all).Where(n => !(_options.Columns.TryGetValue(n, out var o) && o.Ignore)).Distinct(StringComparer.Ordinal);

    private DriftReport Run(List<(string Name, DataColumnKind Kind, Func<DriftSample> Reference, Func<DriftSample> Current, DataColumnKind? CurrentKind)> pairs, long referenceRows, long currentRows)
    {
        var problems = new List<string>();
        if (referenceRows == 0)
        {
            problems.Add("The reference has no rows: there is nothing to compare with, so no column was checked.");
        }

        if (currentRows == 0)
        {
            problems.Add("The current data has no rows: there is nothing to compare, so no column was checked.");
        }

        if (problems.Count > 0)
        {
            return new DriftReport([], problems, _options.DriftShare);
        }

        foreach (var (name, kind, _, _, currentKind) in pairs)
        {
            if (currentKind is null)
            {
                problems.Add($"Column '{name}' is in the reference but not in the current data.");
            }
            else if (currentKind != kind)
            {
                problems.Add($"Column '{name}' is {kind} in the reference and {currentKind} in the current data.");
            }
        }

        // Columns are independent: compare them on all cores.
        var results = new ColumnDriftResult[pairs.Count];
        Parallel.For(0, pairs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (name, kind, referenceSample, currentSample, currentKind) = pairs[i];
            results[i] = currentKind is null
                ? new ColumnDriftResult(name, kind, DriftMethod.Auto, double.NaN, double.NaN, true, $"Column '{name}' is missing from the current data.")
                : currentKind != kind
                    ? new ColumnDriftResult(name, kind, DriftMethod.Auto, double.NaN, double.NaN, true, $"Column '{name}' changed type: {kind} in the reference, {currentKind} now; its distributions were not compared.")
                    : CompareColumn(name, referenceSample(), currentSample());
        });

        return new DriftReport(ApplyFalseDiscoveryControl([.. results]), problems, _options.DriftShare);
    }

    private ColumnDriftResult CompareColumn(string name, DriftSample reference, DriftSample current)
    {
        var overrides = _options.Columns.TryGetValue(name, out var found) ? found : null;
        var method = overrides?.Method ?? DriftMethod.Auto;

        // A numeric column with at most 5 values (a flag, a rating) is compared as categories of its values,
        // as Evidently does; a test of the explicit methods that need categories gets them the same way.
        var valueCounts = reference.Kind == DataColumnKind.Numeric && method is DriftMethod.Auto or DriftMethod.ZTest or DriftMethod.ChiSquared
            ? NumericValueCounts(reference, current, method == DriftMethod.Auto ? 5 : MaxExactValues)
            : null;
        if (method == DriftMethod.Auto)
        {
            var small = reference.Present <= _options.SmallSampleLimit;
            if (reference.IsNumeric && valueCounts is null)
            {
                method = small ? DriftMethod.KolmogorovSmirnov : DriftMethod.Wasserstein;
            }
            else
            {
                var distinct = valueCounts is { } v ? v.Reference.Keys.Union(v.Current.Keys).Count() : reference.Categories!.Keys.Union(current.Categories!.Keys, StringComparer.Ordinal).Count();
                method = !small ? DriftMethod.JensenShannon : distinct <= 2 ? DriftMethod.ZTest : DriftMethod.ChiSquared;
            }
        }

        var threshold = overrides?.Threshold ?? DefaultThreshold(method);
        var missingChange = Math.Abs(current.MissingShare - reference.MissingShare);
        var missing = missingChange >= _options.MissingShareThreshold;
        var missingReason = missing
            ? $" Its missing share moved from {Percent(reference.MissingShare)} to {Percent(current.MissingShare)} (limit ±{Percent(_options.MissingShareThreshold)})."
            : string.Empty;
        var baseResult = new ColumnDriftResult(name, reference.Kind, method, double.NaN, threshold, missing, string.Empty)
        {
            ReferenceCount = reference.Present,
            CurrentCount = current.Present,
            ReferenceMissingShare = reference.MissingShare,
            CurrentMissingShare = current.MissingShare,
        };

        if (reference.Present == 0 || current.Present == 0)
        {
            var side = reference.Present == 0 ? "the reference" : "the current data";
            return baseResult with
            {
                Reason = $"Column '{name}' has no present values in {side}, so its distribution was not compared.{missingReason}",
            };
        }

        if (valueCounts is { } counts)
        {
            var asCategories = Categorical(method, threshold, counts.Reference, counts.Current, baseResult);
            var result2 = asCategories with { Reason = $"{counts.Reference.Keys.Union(counts.Current.Keys).Count()} distinct values, compared as categories. {asCategories.Reason}" };
            return missing ? result2 with { Drifted = true, Reason = result2.Reason + missingReason } : result2;
        }

        if (reference.IsNumeric != IsNumericMethod(method) && method is not (DriftMethod.PopulationStabilityIndex or DriftMethod.JensenShannon))
        {
            return baseResult with { Drifted = true, Reason = $"Method {method} does not apply to {reference.Kind} column '{name}'{(method is DriftMethod.ZTest or DriftMethod.ChiSquared && reference.IsNumeric ? $" with more than {MaxExactValues} distinct values" : string.Empty)}." };
        }

        var result = reference.IsNumeric ? Numeric(name, method, threshold, reference, current, baseResult) : Categorical(method, threshold, reference.Categories!, current.Categories!, baseResult);
        return missing ? result with { Drifted = true, Reason = result.Reason + missingReason } : result;
    }

    private static bool IsNumericMethod(DriftMethod method) => method is DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein;

    private double DefaultThreshold(DriftMethod method) => method switch
    {
        DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquared or DriftMethod.ZTest => _options.PValueThreshold,
        DriftMethod.PopulationStabilityIndex => _options.PsiThreshold,
        _ => _options.DistanceThreshold,
    };

    private ColumnDriftResult Numeric(string name, DriftMethod method, double threshold, DriftSample reference, DriftSample current, ColumnDriftResult result)
    {
        var exact = reference.Sorted is not null && current.Sorted is not null;
        var errorBound = exact ? (double?)null : reference.RankError + current.RankError;
        var wasserstein = exact ? DriftStatistics.Wasserstein(reference.Sorted, current.Sorted) : SketchWasserstein(reference, current);
        // Normed by the population standard deviation, as Evidently's normed Wasserstein (np.std) is: the
        // sample one made small references 1–5% less drifted than Evidently says.
        var std = reference.Present > 1 ? reference.StandardDeviation * Math.Sqrt((reference.Present - 1.0) / reference.Present) : reference.StandardDeviation;
        var normed = std > 0 ? wasserstein / std : wasserstein > 0 ? double.PositiveInfinity : 0;
        var bins = DecileBins(reference, current);
        result = result with { Bins = bins.Select(b => b.Bin).ToArray(), ErrorBound = errorBound, EffectSize = normed };
        var exactness = exact ? "exact" : $"from sketches, ±{Number(errorBound!.Value)}";
        switch (method)
        {
            case DriftMethod.KolmogorovSmirnov:
            {
                var d = exact ? DriftStatistics.KsStatistic(reference.Sorted, current.Sorted) : SketchKs(reference, current);
                var (p, exactP) = DriftStatistics.KsPValue(d, (int)Math.Min(reference.Present, int.MaxValue), (int)Math.Min(current.Present, int.MaxValue));
                var significant = p <= threshold; // as Evidently: drift when p <= threshold
                var large = normed >= _options.NumericEffectSizeFloor;
                var reason = significant && !large
                    ? $"KS D = {Number(d)} ({exactness}), p = {P(p)} <= {Number(threshold)}, but the shift is {Number(normed)} reference standard deviations, below the effect-size floor {Number(_options.NumericEffectSizeFloor)}: not drift."
                    : $"KS D = {Number(d)} ({exactness}), p = {P(p)}{(exactP ? " (exact)" : " (asymptotic)")} {(significant ? "<=" : ">")} {Number(threshold)}; shift {Number(normed)} std: {(significant ? "drift" : "no drift")}.";
                return result with { Statistic = d, PValue = p, ExactPValue = exactP, Drifted = significant && large, Reason = reason };
            }

            case DriftMethod.Wasserstein:
            {
                var drifted = normed >= threshold;
                var reason = std > 0
                    ? $"Wasserstein distance {Number(wasserstein)} = {Number(normed)} reference standard deviations ({exactness}) {(drifted ? ">=" : "<")} {Number(threshold)}: {(drifted ? "drift" : "no drift")}."
                    : $"The reference is constant ({Number(reference.Mean)}); the current values {(drifted ? "differ from it" : "equal it")}: {(drifted ? "drift" : "no drift")}.";
                return result with { Statistic = normed, Drifted = drifted, Reason = reason };
            }

            default:
                return Shares(method, threshold, bins.Select(b => b.Bin.ReferenceShare).ToArray(), bins.Select(b => b.Bin.CurrentShare).ToArray(), result, $"over {bins.Count} reference-quantile bins, {exactness}");
        }
    }

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
        if (sample.Sorted is { } sorted)
        {
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

    private static List<(DriftBin Bin, double Edge)> DecileBins(DriftSample reference, DriftSample current)
    {
        // An edge at the largest value of both sides would leave an empty last bin "max .. max" (integer
        // columns, whose top decile is often their maximum): the bin before it runs to the maximum instead.
        var edges = Enumerable.Range(1, 9).Select(i => reference.Quantile(i / 10.0)).Distinct().Order()
            .Where(edge => reference.Cdf(edge) < 1 || current.Cdf(edge) < 1).ToList();
        var bins = new List<(DriftBin, double)>();
        double previousR = 0, previousC = 0;
        var lower = "min";
        foreach (var edge in edges.Append(double.PositiveInfinity))
        {
            var r = double.IsPositiveInfinity(edge) ? 1 : reference.Cdf(edge);
            var c = double.IsPositiveInfinity(edge) ? 1 : current.Cdf(edge);
            var upper = double.IsPositiveInfinity(edge) ? "max" : Number(edge);
            bins.Add((new DriftBin($"{lower} .. {upper}", Math.Max(r - previousR, 0), Math.Max(c - previousC, 0)), edge));
            (previousR, previousC, lower) = (r, c, upper);
        }

        return bins;
    }

    private static double SketchKs(DriftSample reference, DriftSample current)
    {
        double d = 0;
        foreach (var x in reference.GridPoints().Concat(current.GridPoints()))
        {
            d = Math.Max(d, Math.Abs(reference.Cdf(x) - current.Cdf(x)));
        }

        return d;
    }

    private static double SketchWasserstein(DriftSample reference, DriftSample current)
    {
        var grid = reference.GridPoints().Concat(current.GridPoints()).Distinct().Order().ToArray();
        double area = 0;
        for (var i = 0; i + 1 < grid.Length; i++)
        {
            area += Math.Abs(reference.Cdf(grid[i]) - current.Cdf(grid[i])) * (grid[i + 1] - grid[i]);
        }

        return area;
    }

    private List<ColumnDriftResult> ApplyFalseDiscoveryControl(List<ColumnDriftResult> results)
    {
        if (!_options.ControlFalseDiscoveryRate)
        {
            return results;
        }

        // Only tests held to the global p-value threshold share one false-discovery budget.
        var tested = results.Select((r, i) => (r, i)).Where(x => x.r.PValue is not null && x.r.Threshold == _options.PValueThreshold && !_options.Columns.ContainsKey(x.r.Column)).ToArray();
        if (tested.Length < 2)
        {
            return results;
        }

        var rejected = DriftStatistics.BenjaminiHochberg(tested.Select(x => x.r.PValue!.Value).ToArray(), _options.PValueThreshold);
        for (var k = 0; k < tested.Length; k++)
        {
            var (r, i) = tested[k];
            if (r.Drifted && !rejected[k] && r.CurrentMissingShare - r.ReferenceMissingShare is var change && Math.Abs(change) < _options.MissingShareThreshold)
            {
                results[i] = r with { Drifted = false, Reason = r.Reason + $" Not significant after the Benjamini-Hochberg correction over {tested.Length} tests at {Number(_options.PValueThreshold)}: not drift." };
            }
        }

        return results;
    }

    private static string Number(double value) => Formatting.Number(value);

    private static string P(double p) => Formatting.PValue(p);

    private static string Percent(double share) => Formatting.Percent(share);
}
