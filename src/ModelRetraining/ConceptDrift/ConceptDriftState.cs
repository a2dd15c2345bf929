namespace ModelRetraining;

/// <summary>What a concept-drift detector concluded after a value.</summary>
public enum ConceptDriftState
{
    /// <summary>Nothing unusual.</summary>
    Stable = 0,

    /// <summary>The error level is rising but not yet past the drift threshold.</summary>
    Warning = 1,

    /// <summary>The stream changed; the detector has reset.</summary>
    Drift = 2,
}
