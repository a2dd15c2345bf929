using System.Text.RegularExpressions;

namespace ModelRetraining.Hosting;

/// <summary>
/// How a node joins the Quartz.NET cluster that <c>UsePostgreSqlJobStore</c> keeps in PostgreSQL: the tables,
/// the cluster's name, this node's id, how fast a dead node is noticed, and what this node can run.
/// </summary>
public sealed partial class PostgreSqlJobStoreOptions
{
    /// <summary>Gets or sets the prefix of Quartz's tables, created when missing; a schema may lead it (<c>jobs.qrtz_</c>) when that schema exists. Default <c>qrtz_</c>.</summary>
    public string TablePrefix { get; set; } = "qrtz_";

    /// <summary>Gets or sets the cluster's name: every node that shares the schedule uses the same one. Default <c>model-retraining</c>.</summary>
    public string ClusterName { get; set; } = "model-retraining";

    /// <summary>Gets or sets this node's id, unique in the cluster; the machine name and process id when <see langword="null"/>.</summary>
    public string? NodeId { get; set; }

    /// <summary>Gets or sets how often this node records that it is alive. Default 5 seconds.</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how long past a missed check-in the other nodes wait before they take this node's triggers
    /// over (a node that stalls longer, in a garbage collection or a paused virtual machine, is written off).
    /// Default 15 seconds.
    /// </summary>
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets what this node can run beyond the ordinary (<c>gpu</c>): the schedules of a pipeline that
    /// requires a capability (<c>RequireCapability</c>) fire only on nodes that declare it, and wait while no
    /// live node does. Every node runs the pipelines that require nothing.
    /// </summary>
    public IList<string> Capabilities { get; } = [];

    /// <summary>Lists every problem with these options; empty when they are usable.</summary>
    /// <returns>The problems, each naming its setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(TablePrefix) || !TablePrefixPattern().IsMatch(TablePrefix))
        {
            errors.Add($"{nameof(TablePrefix)} '{TablePrefix}' is not a table prefix: letters, digits and '_', optionally after a schema and a dot (jobs.qrtz_).");
        }

        if (string.IsNullOrWhiteSpace(ClusterName) || ClusterName.Length > 120)
        {
            errors.Add($"{nameof(ClusterName)} must be 1 to 120 characters.");
        }

        if (NodeId is { } node && (string.IsNullOrWhiteSpace(node) || node.Length > 180))
        {
            errors.Add($"{nameof(NodeId)} must be 1 to 180 characters when it is set.");
        }

        if (CheckinInterval <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(CheckinInterval)} must be positive; it is {CheckinInterval}.");
        }

        if (CheckinMisfireThreshold < CheckinInterval)
        {
            errors.Add($"{nameof(CheckinMisfireThreshold)} ({CheckinMisfireThreshold}) must be at least {nameof(CheckinInterval)} ({CheckinInterval}): a node would be written off between two check-ins.");
        }

        foreach (var capability in Capabilities)
        {
            if (CapabilityProblem(capability) is { } problem)
            {
                errors.Add($"{nameof(Capabilities)}: {problem}");
            }
        }

        return errors;
    }

    internal static string? CapabilityProblem(string? capability)
        => capability is null || !CapabilityPattern().IsMatch(capability)
            ? $"'{capability}' is not a capability name: 1 to 64 letters, digits, '-', '.' or ':', starting with a letter."
            : null;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?$", RegexOptions.CultureInvariant)]
    private static partial Regex TablePrefixPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9.:-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex CapabilityPattern();
}
