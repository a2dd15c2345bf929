using System.Security.Cryptography;
using System.Text;

namespace ModelRetraining.Dashboard;

/// <summary>
/// What the pages show, summed up as one short hash: aliases, versions, runs and open approvals of every
/// model, and the rollouts of this process's model servers. Looked at no more than once per interval however many pages are open (they share the look), so
/// fifty watchers cost the registry what one does. The hash is the live stream's event id: a page that
/// comes back with the id it last saw is told at once whether anything changed meanwhile.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The SemaphoreSlim's wait handle is never asked for; a feed lives as long as the app.")]
internal sealed class ChangeFeed(IModelRegistry registry, IApprovalStore? approvalStore, Func<IReadOnlyList<ModelRetraining.Serving.IRolloutControl>> rollouts, TimeSpan interval, TimeProvider time)
{
    private readonly SemaphoreSlim _look = new(1, 1);
    private Seen? _last; // replaced whole, never changed: readers outside the lock see one look or the next

    public TimeSpan Interval => interval;

    public async ValueTask<string> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _last) is { } fresh && time.GetUtcNow() - fresh.At < interval)
        {
            return fresh.State;
        }

        await _look.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is { } again && time.GetUtcNow() - again.At < interval)
            {
                return again.State;
            }

            var state = await ComputeAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _last, new Seen(state, time.GetUtcNow()));
            return state;
        }
        finally
        {
            _look.Release();
        }
    }

    private async Task<string> ComputeAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var journal = registry.GetService<IRunJournal>();
        await foreach (var model in registry.ListModelsAsync(cancellationToken).ConfigureAwait(false))
        {
            text.Append("m:").Append(model).Append('\n');
            await foreach (var alias in registry.ListAliasesAsync(model, cancellationToken).ConfigureAwait(false))
            {
                text.Append(alias.Alias).Append('=').Append(alias.Version).Append('\n');
            }

            await foreach (var version in registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false))
            {
                text.Append('v').Append(version.Version).Append(';');
            }

            if (journal is not null)
            {
                await foreach (var run in journal.ListRunsAsync(model, cancellationToken).ConfigureAwait(false))
                {
                    text.Append(run.RunId).Append(':').Append(run.Status).Append(':').Append(run.Stage).Append(':').Append(run.UpdatedAt.UtcTicks).Append('\n');
                }
            }
        }

        if ((approvalStore ?? registry.GetService<IApprovalStore>()) is { } approvals)
        {
            await foreach (var request in approvals.ListOpenAsync(cancellationToken).ConfigureAwait(false))
            {
                text.Append("a:").Append(request.Id).Append(':').Append(request.Revision).Append('\n');
            }
        }

        RolloutPages.Describe(text, rollouts());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private sealed record Seen(string State, DateTimeOffset At);
}
