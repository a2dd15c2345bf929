namespace ModelRetraining;

/// <summary>How much a data validation issue matters.</summary>
public enum ValidationSeverity
{
    /// <summary>Reported; training goes on.</summary>
    Warning = 0,

    /// <summary>Blocks training: the run ends <see cref="RetrainingRunStatus.Rejected"/>.</summary>
    Error = 1,
}
