namespace ModelRetraining;

/// <summary>What <see cref="RunAnomalyRules"/> flags on a run.</summary>
public enum RunAnomalyKind
{
    /// <summary>A stage took longer than the mean plus <see cref="RunAnomalyOptions.SlowStageDeviations"/> standard deviations of its recent history.</summary>
    SlowStage = 0,

    /// <summary>The run's claim was not renewed for longer than its lease: its process died or hangs (crashed, not running).</summary>
    HeartbeatStopped = 1,

    /// <summary>The candidate scored far below the champion on a metric: broken data more often than a worse model.</summary>
    MetricCollapse = 2,

    /// <summary>The working set grew during training by more than <see cref="RunAnomalyOptions.MemoryGrowthFactor"/>.</summary>
    MemoryGrowth = 3,

    /// <summary>A metric of the candidate or the champion is not a finite number.</summary>
    NonFiniteMetric = 4,
}
