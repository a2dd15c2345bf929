namespace ModelRetraining.Serving;

/// <summary>
/// A mixture sequential probability ratio test (mSPRT; Johari, Pekelis and Walsh, "Always valid inference",
/// as Optimizely's stats engine runs it) on the difference between two proportions, such as two arms'
/// accuracies. The p-value stays valid however often it is looked at: stopping at the first look where it
/// falls under α keeps the false-positive rate at α, where a fixed-sample z-test looked at every batch
/// does not. The effect is mixed over a normal prior of variance <see cref="MixingVariance"/> (τ²); the
/// statistic uses the normal approximation with the arms' plug-in variances.
/// </summary>
public sealed class MixtureSequentialTest
{
    private double _pValue = 1;

    /// <summary>Creates a test.</summary>
    /// <param name="mixingVariance">τ², the variance of the normal mixture over effect sizes: about the square of the difference worth detecting.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mixingVariance"/> is not a positive number.</exception>
    public MixtureSequentialTest(double mixingVariance = 0.0025)
    {
        if (!(mixingVariance > 0) || !double.IsFinite(mixingVariance))
        {
            throw new ArgumentOutOfRangeException(nameof(mixingVariance), mixingVariance, "The mixing variance must be a positive number.");
        }

        MixingVariance = mixingVariance;
    }

    /// <summary>Gets τ², the variance of the normal mixture over effect sizes.</summary>
    public double MixingVariance { get; }

    /// <summary>Gets the always-valid p-value so far (it only decreases).</summary>
    public double PValue => _pValue;

    /// <summary>Takes a look at the running totals of both arms.</summary>
    /// <param name="successesA">Successes of arm A so far.</param>
    /// <param name="trialsA">Trials of arm A so far.</param>
    /// <param name="successesB">Successes of arm B so far.</param>
    /// <param name="trialsB">Trials of arm B so far.</param>
    /// <returns>The always-valid p-value after this look.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or successes exceed trials.</exception>
    public double Update(long successesA, long trialsA, long successesB, long trialsB)
    {
        if (successesA < 0 || successesB < 0 || successesA > trialsA || successesB > trialsB)
        {
            throw new ArgumentOutOfRangeException(nameof(successesA), FormattableString.Invariant($"Successes must be between 0 and the trials: A {successesA}/{trialsA}, B {successesB}/{trialsB}."));
        }

        if (trialsA < 2 || trialsB < 2)
        {
            return _pValue;
        }

        var (pA, pB) = ((double)successesA / trialsA, (double)successesB / trialsB);
        var variance = (pA * (1 - pA) / trialsA) + (pB * (1 - pB) / trialsB);
        if (variance <= 0)
        {
            // Both arms all-right or all-wrong: no spread to judge a difference by yet.
            return _pValue;
        }

        var difference = pB - pA;
        var tau2 = MixingVariance;
        var logRatio = (0.5 * Math.Log(variance / (variance + tau2))) + (tau2 * difference * difference / (2 * variance * (variance + tau2)));
        _pValue = Math.Min(_pValue, Math.Min(1, Math.Exp(-logRatio)));
        return _pValue;
    }
}
