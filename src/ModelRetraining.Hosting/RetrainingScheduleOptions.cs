namespace ModelRetraining.Hosting;

/// <summary>The schedules of a host, checked together at start.</summary>
internal sealed class RetrainingScheduleOptions
{
    public List<ScheduleRegistration> Schedules { get; } = [];

    public Dictionary<string, RetrainingCoordinatorOptions> Coordinators { get; } = new(StringComparer.Ordinal);

    public List<DataCheckRegistration> Checks { get; } = [];

    public List<string> PerformanceTriggers { get; } = [];

    public string? JobStorePath { get; set; }

    /// <summary>This node's id and capabilities when the host is a node of a clustered job store.</summary>
    public (string Id, string[] Capabilities)? ClusterNode { get; set; }

    public IEnumerable<string> Pipelines()
        => Schedules.Select(s => s.Pipeline).Concat(Checks.Select(c => c.Pipeline)).Concat(PerformanceTriggers).Distinct(StringComparer.Ordinal);
}
