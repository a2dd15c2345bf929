namespace ModelRetraining.Serving;

/// <summary>A rollout of a challenger version against the champion: the mode, the traffic, and the limits its analyses apply.</summary>
public sealed class RolloutOptions
{
    /// <summary>Gets or sets how the challenger is tried.</summary>
    /// <value>The default value is <see cref="RolloutMode.Canary"/>.</value>
    public RolloutMode Mode { get; set; } = RolloutMode.Canary;

    /// <summary>Gets or sets the challenger version (registered, and not the champion).</summary>
    public int ChallengerVersion { get; set; }

    /// <summary>Gets or sets who starts the rollout (recorded on the challenger's tags and in the audit log).</summary>
    /// <value>The default value is <c>rollout</c>.</value>
    public string Actor { get; set; } = "rollout";

    /// <summary>Gets or sets the champion's share of an A/B test's traffic; with <see cref="ChallengerWeight"/> it must sum to 1.</summary>
    /// <value>The default value is 0.5.</value>
    public double ChampionWeight { get; set; } = 0.5;

    /// <summary>Gets or sets the challenger's share of an A/B test's traffic.</summary>
    /// <value>The default value is 0.5.</value>
    public double ChallengerWeight { get; set; } = 0.5;

    /// <summary>Gets the challenger's share of traffic at each canary step, rising, the last 1.</summary>
    /// <value>The default value is 5%, 25%, 50%, 100%.</value>
    public IList<double> CanarySteps { get; } = [0.05, 0.25, 0.50, 1.0];

    /// <summary>Gets or sets the share of requests copied to the challenger in shadow mode.</summary>
    /// <value>The default value is 1 (every request).</value>
    public double ShadowSampleRate { get; set; } = 1.0;

    /// <summary>Gets or sets how many shadow requests may wait for the challenger; more are dropped (and counted), never waited for.</summary>
    /// <value>The default value is 1,024.</value>
    public int ShadowQueueCapacity { get; set; } = 1_024;

    /// <summary>Gets or sets how many outcomes each arm needs in a step before an analysis judges the online metric.</summary>
    /// <value>The default value is 200.</value>
    public int MinOutcomes { get; set; } = 200;

    /// <summary>Gets or sets the challenger's largest share of failed requests; more fails the analysis.</summary>
    /// <value>The default value is 0.01.</value>
    public double MaxErrorRate { get; set; } = 0.01;

    /// <summary>Gets or sets the largest ratio of the challenger's p99 latency to the champion's; more fails the analysis.</summary>
    /// <value>The default value is 2.</value>
    public double MaxLatencyRatio { get; set; } = 2.0;

    /// <summary>Gets or sets how much slower than the champion's the challenger's p99 must be, besides <see cref="MaxLatencyRatio"/>, to fail: sub-millisecond latencies are too noisy for a ratio alone.</summary>
    /// <value>The default value is 1 millisecond.</value>
    public TimeSpan MinLatencyIncrease { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Gets or sets an absolute budget for the challenger's p99 latency; none when <see langword="null"/>.</summary>
    public TimeSpan? MaxLatencyP99 { get; set; }

    /// <summary>
    /// Gets or sets how many calls each arm needs in a step before its p99 latency is judged. A p99 is
    /// the value with 1% of calls above it: from 1,000 calls that is 10 calls, so one pause moves it by one
    /// rank at most; from 100 calls it is the slowest call, which is noise (7 of 19 better challengers
    /// were once rolled back on it).
    /// </summary>
    /// <value>The default value is 1,000.</value>
    public int MinLatencySamples { get; set; } = 1_000;

    /// <summary>Gets or sets how many first calls of each arm in each step are left out of its latency (a freshly loaded model's first calls are cold; both arms skip the same number).</summary>
    /// <value>The default value is 50.</value>
    public int LatencyWarmUpCalls { get; set; } = 50;

    /// <summary>Gets or sets how far the challenger's accuracy may fall below the champion's (the non-inferiority margin).</summary>
    /// <value>The default value is 0.02.</value>
    public double AccuracyTolerance { get; set; } = 0.02;

    /// <summary>Gets or sets the error rate of the decisions: one-sided confidence of the canary's bounds, and the A/B test's α.</summary>
    /// <value>The default value is 0.05.</value>
    public double Alpha { get; set; } = 0.05;

    /// <summary>Gets or sets τ² of the A/B test's mixture SPRT (about the squared accuracy difference worth detecting).</summary>
    /// <value>The default value is 0.0025 (a difference of 5 points).</value>
    public double MixingVariance { get; set; } = 0.0025;

    /// <summary>Gets or sets how often the server analyses the rollout by itself; <see langword="null"/> leaves it to <see cref="ModelServer{TInput, TOutput}.AnalyzeRolloutAsync"/>.</summary>
    public TimeSpan? AnalysisInterval { get; set; }

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ChallengerVersion < 1)
        {
            errors.Add($"{nameof(ChallengerVersion)} must name a registered version; it is {ChallengerVersion}.");
        }

        if (string.IsNullOrWhiteSpace(Actor))
        {
            errors.Add($"{nameof(Actor)} is empty.");
        }

        if (!(ChampionWeight is >= 0 and <= 1) || !(ChallengerWeight is >= 0 and <= 1) || Math.Abs(ChampionWeight + ChallengerWeight - 1) > 1e-9)
        {
            errors.Add(FormattableString.Invariant($"{nameof(ChampionWeight)} and {nameof(ChallengerWeight)} must each be between 0 and 1 and sum to 1; they are {ChampionWeight} and {ChallengerWeight} (sum {ChampionWeight + ChallengerWeight})."));
        }

        if (Mode == RolloutMode.Canary)
        {
            var steps = CanarySteps.ToArray();
            if (steps.Length == 0 || steps.Any(s => !(s is > 0 and <= 1)) || steps.Zip(steps.Skip(1), (a, b) => b <= a).Any(x => x) || steps[^1] != 1)
            {
                errors.Add(FormattableString.Invariant($"{nameof(CanarySteps)} must rise strictly within (0, 1] and end at 1; they are {string.Join(", ", steps)}."));
            }
        }

        if (!(ShadowSampleRate is > 0 and <= 1))
        {
            errors.Add(FormattableString.Invariant($"{nameof(ShadowSampleRate)} must be in (0, 1]; it is {ShadowSampleRate}."));
        }

        if (ShadowQueueCapacity < 1)
        {
            errors.Add($"{nameof(ShadowQueueCapacity)} must be 1 or more; it is {ShadowQueueCapacity}.");
        }

        if (MinOutcomes < 1)
        {
            errors.Add($"{nameof(MinOutcomes)} must be 1 or more; it is {MinOutcomes}.");
        }

        if (!(MaxErrorRate is >= 0 and <= 1))
        {
            errors.Add(FormattableString.Invariant($"{nameof(MaxErrorRate)} must be between 0 and 1; it is {MaxErrorRate}."));
        }

        if (!(MaxLatencyRatio >= 1) || !double.IsFinite(MaxLatencyRatio))
        {
            errors.Add(FormattableString.Invariant($"{nameof(MaxLatencyRatio)} must be 1 or more; it is {MaxLatencyRatio}."));
        }

        if (MinLatencySamples < 100)
        {
            errors.Add($"{nameof(MinLatencySamples)} must be at least 100 (a p99 needs 100 calls to exist at all); it is {MinLatencySamples}.");
        }

        if (LatencyWarmUpCalls < 0)
        {
            errors.Add($"{nameof(LatencyWarmUpCalls)} must not be negative; it is {LatencyWarmUpCalls}.");
        }

        if (MinLatencyIncrease < TimeSpan.Zero)
        {
            errors.Add($"{nameof(MinLatencyIncrease)} must not be negative; it is {MinLatencyIncrease}.");
        }

        if (MaxLatencyP99 <= TimeSpan.Zero || AnalysisInterval <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(MaxLatencyP99)} and {nameof(AnalysisInterval)} must be positive when set.");
        }

        if (!(AccuracyTolerance is >= 0 and < 1))
        {
            errors.Add(FormattableString.Invariant($"{nameof(AccuracyTolerance)} must be in [0, 1); it is {AccuracyTolerance}."));
        }

        if (!(Alpha is > 0 and < 0.5))
        {
            errors.Add(FormattableString.Invariant($"{nameof(Alpha)} must be in (0, 0.5); it is {Alpha}."));
        }

        if (!(MixingVariance > 0) || !double.IsFinite(MixingVariance))
        {
            errors.Add(FormattableString.Invariant($"{nameof(MixingVariance)} must be a positive number; it is {MixingVariance}."));
        }

        return errors;
    }
}
