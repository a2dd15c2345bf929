using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ModelRetraining.Testing;

// The run journal and its checkpoints.
public sealed partial class InMemoryModelRegistry
{
    /// <inheritdoc />
    public ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var stored = entry with { Sequence = ++_sequence };
            _journal.Add(stored);
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RunSummary> ListRunsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        RunSummary[] runs;
        lock (_gate)
        {
            runs = _journal.Where(j => j.ModelName == modelName).GroupBy(j => j.RunId, StringComparer.Ordinal).Select(g => RunSummary.FromEntries(g.ToArray())).ToArray();
        }

        foreach (var run in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return run;
        }
    }

    /// <inheritdoc />
    public ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            _checkpoints[(runId, name)] = content.ToArray();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return ValueTask.FromResult(_checkpoints.TryGetValue((runId, name), out var bytes) ? (byte[]?)bytes.ToArray() : null);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        lock (_gate)
        {
            foreach (var key in _checkpoints.Keys.Where(k => k.RunId == runId).ToArray())
            {
                _checkpoints.Remove(key);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        RunJournalEntry[] entries;
        lock (_gate)
        {
            entries = _journal.Where(j => j.RunId == runId).ToArray();
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return entry;
        }
    }

    /// <inheritdoc />
    public ValueTask<RunClaim> ClaimRunAsync(RunClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_claims.TryGetValue(claim.RunId, out var held) && held.Attempt >= claim.Attempt)
            {
                throw new RunClaimedException(claim, held);
            }

            _claims[claim.RunId] = claim;
            return ValueTask.FromResult(claim);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewClaimAsync(RunClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        lock (_gate)
        {
            if (_claims.TryGetValue(claim.RunId, out var held) && held.Attempt == claim.Attempt && held.Holder == claim.Holder)
            {
                _claims[claim.RunId] = held with { At = claim.At };
                return ValueTask.FromResult(true);
            }

            return ValueTask.FromResult(false);
        }
    }

    /// <inheritdoc />
    public ValueTask<RunClaim?> GetClaimAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        lock (_gate)
        {
            return ValueTask.FromResult(_claims.GetValueOrDefault(runId));
        }
    }
}
