namespace ModelRetraining;

// The coordinator's part in a cluster and for operators: the run id of a scheduler's firing (the same on every
// node, so the journal's claim lets a firing run once), and operators' requests about runs, honoured by the
// resume sweep.
public sealed partial class RetrainingCoordinator
{
    // Operators' requests (IRunRequestStore) about this model's runs: a resume is done here, by whichever node's
    // sweep claims the run first (a node that loses the claim leaves the request to the winner, who closes it);
    // a cancel is the holder's to honour, so here only a cancel of a run that has ended is closed, saying so.
    // (A cancel of a run whose process died is honoured when the sweep above resumes that run: it ends at once.)
    private async Task HonourRequestsAsync(IRunRequestStore requests, List<RetrainingRunResult> results, CancellationToken cancellationToken)
    {
        var open = new List<RunRequest>();
        await foreach (var request in requests.ListOpenRequestsAsync(_pipeline.ModelName, cancellationToken).ConfigureAwait(false))
        {
            open.Add(request);
        }

        if (open.Count == 0)
        {
            return;
        }

        var runs = new Dictionary<string, RunSummary>(StringComparer.Ordinal);
        await foreach (var run in _pipeline.ListRunsAsync(cancellationToken).ConfigureAwait(false))
        {
            runs[run.RunId] = run;
        }

        foreach (var request in open)
        {
            string? outcome;
            if (!runs.TryGetValue(request.RunId, out var summary))
            {
                outcome = $"not {(request.Kind == RunRequestKind.Cancel ? "cancelled" : "resumed")}: the journal has no run '{request.RunId}' of '{_pipeline.ModelName}'";
            }
            else if (request.Kind == RunRequestKind.Cancel)
            {
                outcome = summary.IsUnfinished ? null : $"not cancelled: the run had ended {summary.Status.ToText()} at {summary.Stage}";
            }
            else if (results.FirstOrDefault(r => r.RunId == request.RunId) is { } resumed)
            {
                outcome = $"resumed by {_options.Actor} (its process had died): {resumed.Status}";
            }
            else
            {
                try
                {
                    var result = await _pipeline.ResumeAsync(request.RunId, cancellationToken).ConfigureAwait(false);
                    Record(results, result);
                    outcome = $"resumed by {_options.Actor}: {result.Status}";
                }
                catch (RunClaimedException)
                {
                    outcome = null; // running elsewhere (perhaps resumed by another node for this request): left to its holder
                }
                catch (InvalidOperationException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    outcome = $"not resumed: {ex.Message}";
                }
            }

            if (outcome is not null)
            {
                await requests.CloseRequestAsync(request.RunId, request.Kind, outcome, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // The run id of the first firing among the causes (ordinal order), the same on every node that runs that
    // firing whatever else came with it there: a digest of model and firing id; null (a fresh id) when no cause
    // is a scheduler's firing. Only that firing is claimed: one coalesced into it from a second delivery
    // elsewhere is not (docs/scale-out.md says so).
    private string? FiringRunId(RetrainingTrigger[] causes)
    {
        if (FirstFiring(causes) is not { } firing)
        {
            return null;
        }

        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{_pipeline.ModelName}\n{firing}"));
        return Convert.ToHexStringLower(digest.AsSpan(0, 16));
    }

    private static string? FirstFiring(RetrainingTrigger[] causes)
        => causes.Select(c => c.FiringId).OfType<string>().Order(StringComparer.Ordinal).FirstOrDefault();
}
