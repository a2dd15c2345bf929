using System.Runtime.CompilerServices;
using Npgsql;

namespace ModelRetraining.PostgreSql;

// The run journal, its checkpoints and the run claims. A claim is one upsert whose update applies only
// to an earlier attempt: the read and the write are one statement, so of many nodes claiming one attempt
// exactly one gets a row back.
internal sealed partial class PostgreSqlModelRegistry
{
    public async ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry = entry with { At = Microseconds(entry.At) };
        return await WriteAsync(
            async (connection, transaction, ct) =>
            {
                var sequence = (long)(await ScalarAsync(
                    connection,
                    transaction,
                    "INSERT INTO run_journal(run_id, model, stage, status, at, inputs, outputs, duration_ms) VALUES(@r, @m, @s, @st, @at, @in, @out, @d) RETURNING seq",
                    ct,
                    ("r", entry.RunId),
                    ("m", entry.ModelName),
                    ("s", entry.Stage.ToString()),
                    ("st", entry.Status.ToText()),
                    ("at", entry.At),
                    ("in", entry.InputsFingerprint),
                    ("out", entry.Outputs),
                    ("d", entry.Duration.TotalMilliseconds)).ConfigureAwait(false))!;
                return entry with { Sequence = sequence };
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var entries = await QueryAsync(
            "SELECT seq, model, stage, status, at, inputs, outputs, duration_ms FROM run_journal WHERE run_id = @r ORDER BY seq",
            r => new RunJournalEntry(runId, r.GetString(1), Enum.Parse<RetrainingStage>(r.GetString(2)), RunJournalStatusText.Parse(r.GetString(3)), r.GetFieldValue<DateTimeOffset>(4))
            {
                Sequence = r.GetInt64(0),
                InputsFingerprint = r.IsDBNull(5) ? null : r.GetString(5),
                Outputs = r.IsDBNull(6) ? null : r.GetString(6),
                Duration = TimeSpan.FromMilliseconds(r.GetDouble(7)),
            },
            cancellationToken,
            ("r", runId)).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    public async IAsyncEnumerable<RunSummary> ListRunsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        const string Sql = """
            SELECT last.run_id, first.at, last.at, last.stage, last.status, runs.attempts
            FROM (SELECT run_id, MIN(seq) AS first_seq, MAX(seq) AS last_seq, COUNT(*) FILTER (WHERE status IN ('started', 'resumed')) AS attempts
                  FROM run_journal WHERE model = @m GROUP BY run_id) AS runs
            JOIN run_journal AS first ON first.seq = runs.first_seq
            JOIN run_journal AS last ON last.seq = runs.last_seq
            ORDER BY runs.first_seq
            """;
        var runs = await QueryAsync(
            Sql,
            r => new RunSummary(r.GetString(0), modelName, r.GetFieldValue<DateTimeOffset>(1), r.GetFieldValue<DateTimeOffset>(2), Enum.Parse<RetrainingStage>(r.GetString(3)), RunJournalStatusText.Parse(r.GetString(4)))
            {
                Attempts = (int)Math.Max(1, r.GetInt64(5)),
            },
            cancellationToken,
            ("m", modelName)).ConfigureAwait(false);
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
        await WriteAsync(
            async (connection, transaction, ct) => await ExecuteAsync(connection, transaction, "INSERT INTO run_checkpoints(run_id, name, content) VALUES(@r, @n, @c) ON CONFLICT (run_id, name) DO UPDATE SET content = EXCLUDED.content", ct, ("r", runId), ("n", name), ("c", content.ToArray())).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return await ReadAsync(
            async (connection, ct) => await ScalarAsync(connection, null, "SELECT content FROM run_checkpoints WHERE run_id = @r AND name = @n", ct, ("r", runId), ("n", name)).ConfigureAwait(false) as byte[],
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        await WriteAsync(
            async (connection, transaction, ct) => await ExecuteAsync(connection, transaction, "DELETE FROM run_checkpoints WHERE run_id = @r", ct, ("r", runId)).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RunClaim> ClaimRunAsync(RunClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        claim = claim with { At = Microseconds(claim.At) };
        return await WriteAsync(
            async (connection, transaction, ct) =>
            {
                const string Sql = """
                    INSERT INTO run_claims(run_id, model, attempt, holder, at) VALUES(@r, @m, @a, @h, @at)
                    ON CONFLICT (run_id) DO UPDATE SET model = EXCLUDED.model, attempt = EXCLUDED.attempt, holder = EXCLUDED.holder, at = EXCLUDED.at
                    WHERE run_claims.attempt < EXCLUDED.attempt
                    RETURNING attempt
                    """;
                if (await ScalarAsync(connection, transaction, Sql, ct, ("r", claim.RunId), ("m", claim.ModelName), ("a", claim.Attempt), ("h", claim.Holder), ("at", claim.At)).ConfigureAwait(false) is null)
                {
                    var held = await ReadClaimAsync(connection, transaction, claim.RunId, ct).ConfigureAwait(false);
                    throw new RunClaimedException(claim, held!);
                }

                return claim;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<string> ListReferencedArtifactsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // One statement, one snapshot: every version's artifact and every attachment.
        foreach (var hash in await QueryAsync("SELECT artifact_sha256 FROM versions UNION SELECT sha256 FROM version_attachments", r => r.GetString(0), cancellationToken).ConfigureAwait(false))
        {
            yield return hash;
        }
    }

    public async ValueTask<bool> RenewClaimAsync(RunClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        claim = claim with { At = Microseconds(claim.At) };
        return await WriteAsync(
            async (connection, transaction, ct) => await ExecuteAsync(connection, transaction, "UPDATE run_claims SET at = @at WHERE run_id = @r AND attempt = @a AND holder = @h", ct, ("r", claim.RunId), ("a", claim.Attempt), ("h", claim.Holder), ("at", claim.At)).ConfigureAwait(false) == 1,
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RunClaim?> GetClaimAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return await ReadAsync((connection, ct) => ReadClaimAsync(connection, null, runId, ct), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<RunClaim?> ReadClaimAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string runId, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, "SELECT model, attempt, holder, at FROM run_claims WHERE run_id = @r", ("r", runId));
        await using var commandScope = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new RunClaim(runId, reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }
}
