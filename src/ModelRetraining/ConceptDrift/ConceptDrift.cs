namespace ModelRetraining;

/// <summary>Creates concept-drift detectors with River's default parameters.</summary>
public static class ConceptDrift
{
    /// <summary>ADWIN (Bifet and Gavaldà 2007): adaptive window, drift when two sub-windows' means differ beyond a Hoeffding bound.</summary>
    /// <param name="delta">The confidence parameter.</param>
    /// <returns>A detector.</returns>
    /// <value>The default value of <paramref name="delta"/> is 0.002.</value>
    public static IConceptDriftDetector Adwin(double delta = 0.002) => new AdwinDetector(delta);

    /// <summary>DDM (Gama et al. 2004): error rate plus its standard deviation against the best seen.</summary>
    /// <param name="warningThreshold">Standard deviations for a warning.</param>
    /// <param name="driftThreshold">Standard deviations for a drift.</param>
    /// <param name="minInstances">Values before any decision (the first decision is on the next one, as River's <c>warm_start</c>).</param>
    /// <returns>A detector.</returns>
    public static IConceptDriftDetector Ddm(double warningThreshold = 2.0, double driftThreshold = 3.0, int minInstances = 30) => new DdmDetector(warningThreshold, driftThreshold, minInstances);

    /// <summary>EDDM (Baena-García et al. 2006): distance between errors against the best seen.</summary>
    /// <param name="warningThreshold">Ratio below which a warning is raised.</param>
    /// <param name="driftThreshold">Ratio below which a drift is raised.</param>
    /// <param name="minErrors">River's <c>warm_start</c>: the peak is tracked after this many values, and a decision needs more than this many errors.</param>
    /// <returns>A detector.</returns>
    public static IConceptDriftDetector Eddm(double warningThreshold = 0.95, double driftThreshold = 0.9, int minErrors = 30) => new EddmDetector(warningThreshold, driftThreshold, minErrors);

    /// <summary>Page–Hinkley (Page 1954): cumulative deviation from the running mean, in both directions.</summary>
    /// <param name="threshold">The cumulative deviation that signals drift.</param>
    /// <param name="delta">The tolerated magnitude of change.</param>
    /// <param name="alpha">The forgetting factor of the cumulative sum.</param>
    /// <param name="minInstances">Values before any decision.</param>
    /// <returns>A detector.</returns>
    public static IConceptDriftDetector PageHinkley(double threshold = 50, double delta = 0.005, double alpha = 1 - 0.0001, int minInstances = 30) => new PageHinkleyDetector(threshold, delta, alpha, minInstances);

    /// <summary>KSWIN (Raab et al. 2020): a two-sample KS test between the newest values and a sample of the older ones in a sliding window.</summary>
    /// <param name="alpha">The test's level.</param>
    /// <param name="windowSize">The sliding window.</param>
    /// <param name="statSize">The newest values tested, and the size of the older sample.</param>
    /// <param name="seed">Seed for the older sample.</param>
    /// <returns>A detector.</returns>
    public static IConceptDriftDetector Kswin(double alpha = 0.005, int windowSize = 100, int statSize = 30, int seed = 42) => new KswinDetector(alpha, windowSize, statSize, seed);
}
