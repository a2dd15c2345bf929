namespace ModelRetraining;

/// <summary>Pipeline-wide behaviour that is not a stage.</summary>
public sealed class RetrainingPipelineOptions
{
    /// <summary>Gets or sets a value indicating whether a candidate the gates reject is still registered (without an alias), so that its decision and metrics stay in the registry.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RegisterRejectedCandidates { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the holdout data set is validated with the same validators as the training data.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ValidateHoldout { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the training data's profile and inferred schema are stored with each registered version (as <c>profile.json</c> and <c>schema.json</c>), the references for later drift and schema checks.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool StoreTrainingProfile { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether, before a promotion, the rollback target (the current champion) is read again from the registry, hash-verified, loaded and made to score a sample of the holdout; a mismatch holds the candidate.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool VerifyRollbackReadiness { get; set; } = true;

    /// <summary>Gets or sets how many holdout rows the rollback target must reproduce.</summary>
    /// <value>The default value is 256.</value>
    public int RollbackSampleRows { get; set; } = 256;

    /// <summary>Gets or sets the fewest holdout rows an evaluation may rest on; a smaller holdout rejects the run before training.</summary>
    /// <value>The default value is 30.</value>
    public long MinHoldoutRows { get; set; } = 30;

    /// <summary>Gets or sets a value indicating whether the trained candidate is kept in the run journal as a checkpoint until the run ends, so that a run resumed after its process died does not train again.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CheckpointCandidate { get; set; } = true;

    /// <summary>
    /// Gets or sets how long a run's claim holds without being renewed. While a run executes, its claim is renewed
    /// every quarter of this; a run whose claim another attempt took over, or that could not renew it for half of
    /// this (its node lost the database), stops at once without writing. Another machine may resume a run whose
    /// claim is older than this (its node died or stalled).
    /// </summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan RunLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the thresholds of the anomaly rules judged when a run ends (each anomaly is logged as a warning, event 17) and shown by the dashboard.</summary>
    public RunAnomalyOptions Anomalies { get; set; } = new();

    /// <summary>Checks every setting and reports every problem at once; <see cref="RetrainingPipelineBuilder.Build"/> calls it.</summary>
    /// <returns>One sentence per problem naming the setting; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RollbackSampleRows < 1)
        {
            errors.Add($"{nameof(RollbackSampleRows)} must be 1 or more; it is {RollbackSampleRows}.");
        }

        if (MinHoldoutRows < 1)
        {
            errors.Add($"{nameof(MinHoldoutRows)} must be 1 or more; it is {MinHoldoutRows}: an evaluation on no rows decides nothing.");
        }

        if (RunLease < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{nameof(RunLease)} must be at least one second; it is {RunLease}.");
        }

        if (Anomalies is null)
        {
            errors.Add($"{nameof(Anomalies)} must be set.");
        }
        else
        {
            errors.AddRange(Anomalies.Validate().Select(e => $"{nameof(Anomalies)}.{e}"));
        }

        return errors;
    }

    internal RetrainingPipelineOptions Clone()
    {
        var clone = (RetrainingPipelineOptions)MemberwiseClone();
        clone.Anomalies = Anomalies.Clone();
        return clone;
    }
}
