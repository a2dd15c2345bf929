using System.Globalization;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>
/// Flags what is odd about a run from its journal, its model's recent runs, its claim and (for a run of this
/// process) its resource samples: a stage slower than its history, a heartbeat that stopped, a metric that
/// collapsed, memory that grew during training, a metric that is not a number. Pure rules over records, so a
/// dashboard, the CLI and the pipeline (which logs them as warnings when a run ends) all flag the same things.
/// </summary>
public sealed class RunAnomalyRules
{
    /// <summary>Initializes a new instance of the <see cref="RunAnomalyRules"/> class.</summary>
    /// <param name="options">The thresholds; the defaults when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; every problem is listed.</exception>
    public RunAnomalyRules(RunAnomalyOptions? options = null)
    {
        Options = options?.Clone() ?? new RunAnomalyOptions();
        var errors = Options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(RunAnomalyOptions), typeof(RunAnomalyOptions), errors);
        }
    }

    /// <summary>Gets the thresholds.</summary>
    public RunAnomalyOptions Options { get; }

    /// <summary>Finds the anomalies of one run.</summary>
    /// <param name="run">The run's journal entries, in order.</param>
    /// <param name="history">Earlier ended runs of the same model, each its entries in order (the latest <see cref="RunAnomalyOptions.HistoryRuns"/> are used).</param>
    /// <param name="now">The time to judge a heartbeat and a running stage at.</param>
    /// <param name="claim">The run's claim, renewed by its holder's heartbeat; <see langword="null"/> when unknown.</param>
    /// <param name="lease">How long a claim holds without renewal (<see cref="RetrainingPipelineOptions.RunLease"/>).</param>
    /// <param name="live">The run as this process's monitor sees it, with its samples, when it runs here.</param>
    /// <returns>The anomalies, the first rule's first.</returns>
    public IReadOnlyList<RunAnomaly> Find(IReadOnlyList<RunJournalEntry> run, IReadOnlyList<IReadOnlyList<RunJournalEntry>> history, DateTimeOffset now, RunClaim? claim = null, TimeSpan? lease = null, LiveRun? live = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(history);
        var found = new List<RunAnomaly>();
        if (run.Count == 0)
        {
            return found;
        }

        var recent = history.Where(h => h.Count > 0 && h[0].RunId != run[0].RunId).TakeLast(Options.HistoryRuns).ToList();
        var unfinished = !run[^1].Status.EndsAttempt();
        SlowStages(run, recent, now, unfinished ? live : null, found);
        if (unfinished && claim is not null && lease is { } limit && now - claim.At > limit)
        {
            found.Add(new RunAnomaly(RunAnomalyKind.HeartbeatStopped, run[^1].Stage, $"No heartbeat since {claim.At:u} from {claim.Holder} (attempt {claim.Attempt}), longer than the {limit.TotalSeconds:0} s lease: its process died or hangs. Another node resumes it, or `mrt runs resume`.")
            {
                Parameters = Figures(("holder", claim.Holder), ("last_heartbeat", claim.At.ToString("O", CultureInfo.InvariantCulture)), ("silent_seconds", Number((now - claim.At).TotalSeconds)), ("lease_seconds", Number(limit.TotalSeconds))),
            });
        }

        Metrics(run, found);
        MemoryGrowth(live, found);
        return found;
    }

    /// <summary>Reads what <see cref="Find"/> needs from a journal (the run, its model's latest ended runs, its claim) and finds the run's anomalies.</summary>
    /// <param name="journal">The run journal.</param>
    /// <param name="runId">The run.</param>
    /// <param name="now">The time to judge at.</param>
    /// <param name="lease">How long a claim holds without renewal.</param>
    /// <param name="live">The run as this process's monitor sees it, if it runs here.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The anomalies; none for an unknown run.</returns>
    public async ValueTask<IReadOnlyList<RunAnomaly>> FindAsync(IRunJournal journal, string runId, DateTimeOffset now, TimeSpan lease, LiveRun? live = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var run = await ReadAsync(journal, runId, cancellationToken).ConfigureAwait(false);
        if (run.Count == 0)
        {
            return [];
        }

        var earlier = new List<RunSummary>();
        await foreach (var summary in journal.ListRunsAsync(run[0].ModelName, cancellationToken).ConfigureAwait(false))
        {
            if (summary.RunId != runId && !summary.IsUnfinished && summary.StartedAt <= run[0].At)
            {
                earlier.Add(summary);
            }
        }

        var history = new List<IReadOnlyList<RunJournalEntry>>();
        foreach (var summary in earlier.OrderBy(s => s.StartedAt).TakeLast(Options.HistoryRuns))
        {
            history.Add(await ReadAsync(journal, summary.RunId, cancellationToken).ConfigureAwait(false));
        }

        var claim = run[^1].Status.EndsAttempt() ? null : await journal.GetClaimAsync(runId, cancellationToken).ConfigureAwait(false);
        return Find(run, history, now, claim, lease, live);
    }

    private void SlowStages(IReadOnlyList<RunJournalEntry> run, List<IReadOnlyList<RunJournalEntry>> history, DateTimeOffset now, LiveRun? live, List<RunAnomaly> found)
    {
        var judged = run.Where(e => e.Status == RunJournalStatus.Completed).Select(e => (e.Stage, Seconds: e.Duration.TotalSeconds, Running: false)).ToList();
        if (live is { IsActive: true } && !run.Any(e => e.Stage == live.Stage && e.Status == RunJournalStatus.Completed))
        {
            judged.Add((live.Stage, (now - live.StageStartedAt).TotalSeconds, true)); // still running and already past the line
        }

        foreach (var (stage, seconds, running) in judged)
        {
            var past = history.SelectMany(h => h).Where(e => e.Stage == stage && e.Status == RunJournalStatus.Completed).Select(e => e.Duration.TotalSeconds).ToList();
            if (past.Count < Options.MinHistory)
            {
                continue;
            }

            var mean = past.Average();
            var deviation = Math.Sqrt(past.Sum(d => (d - mean) * (d - mean)) / (past.Count - 1));
            var line = mean + (Options.SlowStageDeviations * deviation);
            if (seconds > line && seconds - mean > 0.001)
            {
                found.Add(new RunAnomaly(RunAnomalyKind.SlowStage, stage, string.Create(CultureInfo.InvariantCulture, $"{stage} {(running ? "has run" : "took")} {seconds:0.0} s, beyond its mean of {mean:0.0} s + {Options.SlowStageDeviations:0.#}σ ({deviation:0.0} s) over the last {past.Count} runs."))
                {
                    Parameters = Figures(("seconds", Number(seconds)), ("mean_seconds", Number(mean)), ("sd_seconds", Number(deviation)), ("deviations", Number(Options.SlowStageDeviations)), ("history", Number(past.Count)), ("running", running ? "true" : "false")),
                });
            }
        }
    }

    private void Metrics(IReadOnlyList<RunJournalEntry> run, List<RunAnomaly> found)
    {
        if (run.LastOrDefault(e => e.Stage == RetrainingStage.Evaluating && e.Status == RunJournalStatus.Completed)?.Outputs is not { } outputs)
        {
            return;
        }

        var (candidate, champion) = JournaledMetrics.Read(outputs);
        foreach (var (side, metrics) in new[] { ("candidate", candidate), ("champion", champion) })
        {
            foreach (var metric in metrics.Values.Where(m => !double.IsFinite(m.Value)))
            {
                found.Add(new RunAnomaly(RunAnomalyKind.NonFiniteMetric, RetrainingStage.Evaluating, $"The {side}'s {SafeText.Escape(metric.Name)} is {metric.Value.ToString(CultureInfo.InvariantCulture)}: the evaluation divided by nothing (an empty class, a constant label) or the model emits non-numbers.")
                {
                    Parameters = Figures(("model", side), ("metric", metric.Name), ("value", metric.Value.ToString(CultureInfo.InvariantCulture))),
                });
            }
        }

        foreach (var metric in candidate.Values.Where(m => double.IsFinite(m.Value)))
        {
            if (!champion.TryGetValue(metric.Name, out var theirs) || !double.IsFinite(theirs.Value) || theirs.Value == 0)
            {
                continue;
            }

            var share = Options.MetricCollapseShare;
            var collapsed = metric.Direction == MetricDirection.HigherIsBetter
                ? theirs.Value > 0 && metric.Value < theirs.Value * (1 - share)
                : theirs.Value > 0 && metric.Value > theirs.Value / (1 - share);
            if (collapsed)
            {
                found.Add(new RunAnomaly(RunAnomalyKind.MetricCollapse, RetrainingStage.Evaluating, string.Create(CultureInfo.InvariantCulture, $"The candidate's {SafeText.Escape(metric.Name)} is {metric.Value:0.####} against the champion's {theirs.Value:0.####}: far worse than a worse model would be; look at the training data first."))
                {
                    Parameters = Figures(("metric", metric.Name), ("candidate", Number(metric.Value)), ("champion", Number(theirs.Value)), ("share", Number(share)), ("direction", metric.Direction.ToString())),
                });
            }
        }
    }

    private void MemoryGrowth(LiveRun? live, List<RunAnomaly> found)
    {
        var training = live?.Samples.Where(s => s.Stage == RetrainingStage.Training).ToList();
        if (training is not { Count: >= 2 })
        {
            return;
        }

        var (first, peak) = (training[0].WorkingSetBytes, training.Max(s => s.WorkingSetBytes));
        if (first > 0 && peak >= first * Options.MemoryGrowthFactor && peak - first >= Options.MinMemoryGrowthBytes)
        {
            found.Add(new RunAnomaly(RunAnomalyKind.MemoryGrowth, RetrainingStage.Training, string.Create(CultureInfo.InvariantCulture, $"The working set grew from {first >> 20} MiB to {peak >> 20} MiB during training ({(double)peak / first:0.0}×): the trainer copies the data, or something leaks."))
            {
                Parameters = Figures(("start_bytes", Number(first)), ("peak_bytes", Number(peak)), ("factor", Number((double)peak / first)), ("samples", Number(training.Count))),
            });
        }
    }

    private static async ValueTask<List<RunJournalEntry>> ReadAsync(IRunJournal journal, string runId, CancellationToken cancellationToken)
    {
        var entries = new List<RunJournalEntry>();
        await foreach (var entry in journal.ReadRunAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Figures(params (string Key, string Value)[] figures) => figures.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
}
