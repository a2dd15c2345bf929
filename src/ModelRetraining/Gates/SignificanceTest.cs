namespace ModelRetraining;

/// <summary>How a significance criterion compares the candidate and the champion on the same holdout rows.</summary>
public enum SignificanceTest
{
    /// <summary>DeLong for AUC, McNemar for Accuracy, the paired bootstrap for every other metric.</summary>
    Auto = 0,

    /// <summary>Seeded paired bootstrap (Poisson weights) of the metric's difference.</summary>
    PairedBootstrap = 1,

    /// <summary>DeLong's test of two correlated AUCs.</summary>
    DeLong = 2,

    /// <summary>McNemar's test of paired correctness (Accuracy).</summary>
    McNemar = 3,
}
