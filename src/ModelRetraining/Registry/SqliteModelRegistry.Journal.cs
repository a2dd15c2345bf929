using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

// The run journal and its checkpoints, kept in the registry database so that a run and what it registered commit side by side.
internal sealed partial class SqliteModelRegistry
{
    public async ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            (connection, transaction) =>
            {
                Execute(
                    connection,
                    transaction,
                    "INSERT INTO run_journal(run_id, model, stage, status, at, inputs, outputs, duration_ms) VALUES($r, $m, $s, $st, $at, $in, $out, $d)",
                    ("$r", entry.RunId),
                    ("$m", entry.ModelName),
                    ("$s", entry.Stage.ToString()),
                    ("$st", entry.Status.ToText()),
                    ("$at", Format(entry.At)),
                    ("$in", entry.InputsFingerprint),
                    ("$out", entry.Outputs),
                    ("$d", entry.Duration.TotalMilliseconds));
                var sequence = (long)Scalar(connection, transaction, "SELECT last_insert_rowid()")!;
                return entry with { Sequence = sequence };
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<RunJournalEntry> entries = [];
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT seq, model, stage, status, at, inputs, outputs, duration_ms FROM run_journal WHERE run_id = $r ORDER BY seq", ("$r", runId)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                entries.Add(new RunJournalEntry(runId, reader.GetString(1), Enum.Parse<RetrainingStage>(reader.GetString(2)), RunJournalStatusText.Parse(reader.GetString(3)), Parse(reader.GetString(4)))
                {
                    Sequence = reader.GetInt64(0),
                    InputsFingerprint = reader.IsDBNull(5) ? null : reader.GetString(5),
                    Outputs = reader.IsDBNull(6) ? null : reader.GetString(6),
                    Duration = TimeSpan.FromMilliseconds(reader.GetDouble(7)),
                });
            }
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    public async IAsyncEnumerable<RunSummary> ListRunsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<RunSummary> runs = [];
        const string Sql = """
            SELECT last.run_id, first.at, last.at, last.stage, last.status, runs.attempts
            FROM (SELECT run_id, MIN(seq) AS first_seq, MAX(seq) AS last_seq, SUM(status IN ('started', 'resumed')) AS attempts
                  FROM run_journal WHERE model = $m GROUP BY run_id) AS runs
            JOIN run_journal AS first ON first.seq = runs.first_seq
            JOIN run_journal AS last ON last.seq = runs.last_seq
            ORDER BY runs.first_seq
            """;
        using (var connection = Open())
        using (var command = Command(connection, null, Sql, ("$m", modelName)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                runs.Add(new RunSummary(reader.GetString(0), modelName, Parse(reader.GetString(1)), Parse(reader.GetString(2)), Enum.Parse<RetrainingStage>(reader.GetString(3)), RunJournalStatusText.Parse(reader.GetString(4)))
                {
                    Attempts = Math.Max(1, reader.GetInt32(5)),
                });
            }
        }

        foreach (var run in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return run;
        }
    }

    public async ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(
            (connection, transaction) =>
            {
                Execute(connection, transaction, "INSERT OR REPLACE INTO run_checkpoints(run_id, name, content) VALUES($r, $n, $c)", ("$r", runId), ("$n", name), ("$c", content.ToArray()));
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        using var command = Command(connection, null, "SELECT content FROM run_checkpoints WHERE run_id = $r AND name = $n", ("$r", runId), ("$n", name));
        return command.ExecuteScalar() as byte[];
    }

    public async ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(
            (connection, transaction) =>
            {
                Execute(connection, transaction, "DELETE FROM run_checkpoints WHERE run_id = $r", ("$r", runId));
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RunClaim> ClaimRunAsync(RunClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            (connection, transaction) =>
            {
                // BEGIN IMMEDIATE serializes claimants across processes: the read and the write are one step.
                if (ReadClaim(connection, transaction, claim.RunId) is { } held && held.Attempt >= claim.Attempt)
                {
                    throw new RunClaimedException(claim, held);
                }

                Execute(connection, transaction, "INSERT OR REPLACE INTO run_claims(run_id, model, attempt, holder, at) VALUES($r, $m, $a, $h, $at)", ("$r", claim.RunId), ("$m", claim.ModelName), ("$a", claim.Attempt), ("$h", claim.Holder), ("$at", Format(claim.At)));
                return claim;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<string> ListReferencedArtifactsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var hashes = new List<string>();
        using (var connection = Open())
        {
            // One statement, one snapshot: every version's artifact and every attachment.
            using var command = Command(connection, null, "SELECT artifact_sha256 FROM versions UNION SELECT sha256 FROM version_attachments");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                hashes.Add(reader.GetString(0));
            }
        }

        foreach (var hash in hashes)
        {
            yield return hash;
        }
    }

    public async ValueTask<bool> RenewClaimAsync(RunClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            (connection, transaction) =>
            {
                using var command = Command(connection, transaction, "UPDATE run_claims SET at = $at WHERE run_id = $r AND attempt = $a AND holder = $h", ("$r", claim.RunId), ("$a", claim.Attempt), ("$h", claim.Holder), ("$at", Format(claim.At)));
                return command.ExecuteNonQuery() == 1;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RunClaim?> GetClaimAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        return ReadClaim(connection, null, runId);
    }

    private static RunClaim? ReadClaim(SqliteConnection connection, SqliteTransaction? transaction, string runId)
    {
        using var command = Command(connection, transaction, "SELECT model, attempt, holder, at FROM run_claims WHERE run_id = $r", ("$r", runId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new RunClaim(runId, reader.GetString(0), reader.GetInt32(1), reader.GetString(2), Parse(reader.GetString(3))) : null;
    }
}
