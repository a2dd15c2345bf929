namespace ModelRetraining;

/// <summary>The stages of a retraining run, in the order the pipeline drives them.</summary>
public enum RetrainingStage
{
    /// <summary>The run is accepted and waits to start.</summary>
    Queued = 0,

    /// <summary>Training and holdout data are read from their sources.</summary>
    Ingesting = 1,

    /// <summary>Data validators check the new data before any training.</summary>
    Validating = 2,

    /// <summary>The trainer fits a candidate model.</summary>
    Training = 3,

    /// <summary>The candidate and the champion are scored on the same holdout.</summary>
    Evaluating = 4,

    /// <summary>The artifact is loaded as serving would load it.</summary>
    InfraValidating = 5,

    /// <summary>Promotion gates decide on the evidence.</summary>
    Gating = 6,

    /// <summary>The candidate is stored as a new model version (a rejected one too, unless turned off, for the record).</summary>
    Registering = 7,

    /// <summary>A gate asked for a person's decision on the registered version; no thread is held while waiting.</summary>
    AwaitingApproval = 8,

    /// <summary>The champion alias moves to the new version.</summary>
    Promoting = 9,
}
