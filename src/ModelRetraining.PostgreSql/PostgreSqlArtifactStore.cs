using Npgsql;

namespace ModelRetraining.PostgreSql;

/// <summary>
/// Artifacts in the registry's own <c>artifacts</c> table: content-addressed by SHA-256, written once
/// (<c>ON CONFLICT DO NOTHING</c>: the same bytes from two nodes are stored once), and verified against the
/// address on every read, so bytes changed in the table are refused, never served. It needs nothing shared
/// between nodes beyond the database; a bytea holds up to 1 GB.
/// </summary>
internal sealed class PostgreSqlArtifactStore(NpgsqlDataSource dataSource, string describe, TimeProvider timeProvider, Func<CancellationToken, ValueTask> ensureInitialized) : IArtifactStore, IArtifactInventory
{
    public async ValueTask<ArtifactReference> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        await ensureInitialized(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            return await PutAsync(connection, null, content, PostgreSqlModelRegistry.Microseconds(timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw new ModelRegistryException($"The PostgreSQL registry {describe} could not store an artifact: {ex.Message}", ex);
        }
    }

    /// <summary>Stores content inside the caller's transaction (a version's registration).</summary>
    public static async Task<ArtifactReference> PutAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, ReadOnlyMemory<byte> content, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reference = Address(content);
        var command = new NpgsqlCommand("INSERT INTO artifacts(sha256, length, content, stored_at) VALUES(@sha, @len, @c, @at) ON CONFLICT (sha256) DO UPDATE SET stored_at = GREATEST(artifacts.stored_at, EXCLUDED.stored_at)", connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("sha", reference.Sha256);
        command.Parameters.AddWithValue("len", reference.Length);
        command.Parameters.AddWithValue("c", content);
        command.Parameters.AddWithValue("at", now.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return reference;
    }

    public static ArtifactReference Address(ReadOnlyMemory<byte> content) => ArtifactReference.Of(content.Span);

    public async ValueTask<ReadOnlyMemory<byte>> GetAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        await ensureInitialized(cancellationToken).ConfigureAwait(false);
        byte[]? bytes;
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT content FROM artifacts WHERE sha256 = @sha", connection);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.AddWithValue("sha", reference.Sha256);
            bytes = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
        }
        catch (NpgsqlException ex)
        {
            throw new ModelRegistryException($"The PostgreSQL registry {describe} could not read artifact sha256:{reference.Sha256}: {ex.Message}", ex);
        }

        if (bytes is null)
        {
            throw new ArtifactIntegrityException($"Artifact sha256:{reference.Sha256} is missing from the artifacts table of the PostgreSQL registry {describe}: it was deleted behind the registry's back. It is not served.");
        }

        var actual = ArtifactReference.Of(bytes).Sha256;
        if (!string.Equals(actual, reference.Sha256, StringComparison.Ordinal))
        {
            throw new ArtifactIntegrityException($"Artifact sha256:{reference.Sha256} in the PostgreSQL registry {describe} does not match its address: found SHA-256 {actual} ({bytes.Length} bytes, expected {reference.Length}). The row was changed behind the registry's back; it is not served.");
        }

        return bytes;
    }

    public async ValueTask<bool> ExistsAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        await ensureInitialized(cancellationToken).ConfigureAwait(false);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = new NpgsqlCommand("SELECT 1 FROM artifacts WHERE sha256 = @sha", connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("sha", reference.Sha256);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async IAsyncEnumerable<StoredArtifact> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await ensureInitialized(cancellationToken).ConfigureAwait(false);
        var rows = new List<StoredArtifact>();
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand("SELECT sha256, length, stored_at FROM artifacts", connection);
            await using var commandScope = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new StoredArtifact(new ArtifactReference(reader.GetString(0), reader.GetInt64(1)), reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        foreach (var row in rows)
        {
            yield return row;
        }
    }

    // One statement: the row goes only if it was not stored again since it was listed and no version or attachment
    // names it. A registration that reuses the bytes updates the row (locking it and moving stored_at), so when
    // the delete re-reads the row after that registration commits, stored_at no longer qualifies.
    public async ValueTask<bool> DeleteAsync(StoredArtifact artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        await ensureInitialized(cancellationToken).ConfigureAwait(false);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = new NpgsqlCommand(
            "DELETE FROM artifacts a WHERE a.sha256 = @sha AND a.stored_at <= @written AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.artifact_sha256 = a.sha256) AND NOT EXISTS (SELECT 1 FROM version_attachments t WHERE t.sha256 = a.sha256)",
            connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("sha", artifact.Reference.Sha256);
        command.Parameters.AddWithValue("written", artifact.LastWritten.ToUniversalTime());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
