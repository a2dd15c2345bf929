namespace ModelRetraining;

/// <summary>Retention: old batches go, but never one a registered model version names in its lineage.</summary>
public sealed partial class DatasetStore
{
    /// <summary>
    /// Deletes a dataset's batches past its retention, except those a registered version of any model in
    /// <paramref name="registry"/> was trained or evaluated on (its lineage names them), so every version can
    /// be retrained from exactly its data. The index rows go first, in one transaction, then the row bytes no
    /// remaining batch shares: a crash between leaves unreferenced bytes, never a batch without rows. Prune
    /// when no run is reading a window of this dataset, or keep <see cref="DatasetRetention.KeepFor"/> longer
    /// than a run takes: a run still training on a batch has not yet put it in the registry's lineage. Appends
    /// and prunes of one store object do not interleave; run one pruner per store folder (a second process
    /// appending the same bytes while it prunes is not guarded against).
    /// </summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="retention">What to keep; at least one bound.</param>
    /// <param name="registry">The registry whose versions' lineage protects batches.</param>
    /// <param name="cancellationToken">Cancels the prune before anything is deleted.</param>
    /// <returns>What was deleted and what was kept for lineage.</returns>
    /// <exception cref="ArgumentException">The retention has no bound, or a bound is not positive.</exception>
    public async ValueTask<DatasetPruneResult> PruneAsync(string dataset, DatasetRetention retention, IModelRegistry registry, CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        ArgumentNullException.ThrowIfNull(retention);
        ArgumentNullException.ThrowIfNull(registry);
        if (retention.KeepBatches is null && retention.KeepFor is null)
        {
            throw new ArgumentException($"A retention needs {nameof(DatasetRetention.KeepBatches)}, {nameof(DatasetRetention.KeepFor)} or both; this one would delete every batch of '{dataset}'.", nameof(retention));
        }

        if (retention.KeepBatches < 1 || retention.KeepFor <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(DatasetRetention.KeepBatches)} must be at least 1 and {nameof(DatasetRetention.KeepFor)} positive (given {retention.KeepBatches?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} and {retention.KeepFor?.ToString() ?? "none"}).", nameof(retention));
        }

        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var protectedSequences = await LineageSequencesAsync(registry, dataset, cancellationToken).ConfigureAwait(false);
        var batches = await QueryAsync("SELECT * FROM batches WHERE dataset = $d ORDER BY sequence", cancellationToken, ("$d", dataset)).ConfigureAwait(false);
        var oldestKeptByAge = retention.KeepFor is { } age ? _timeProvider.GetUtcNow() - age : DateTimeOffset.MaxValue;
        // The newest batch always stays: it carries the sequence counter, so a number is never given twice.
        var keptByCount = Math.Max(1, retention.KeepBatches ?? 1);
        var expired = batches.Where((b, i) => i < batches.Count - keptByCount && b.ReceivedAt < oldestKeptByAge).ToArray();
        var deleted = expired.Where(b => !protectedSequences.Contains(b.Sequence)).ToArray();
        var keptForLineage = expired.Where(b => protectedSequences.Contains(b.Sequence)).ToArray();
        if (deleted.Length == 0)
        {
            return new DatasetPruneResult(dataset, [], keptForLineage, 0);
        }

        await _contentGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await DeleteIndexRowsAsync(dataset, deleted).ConfigureAwait(false);
            long reclaimed = 0;
            foreach (var content in deleted.SelectMany(b => b.Parts).DistinctBy(c => c.Sha256))
            {
                // Bytes another batch (of any dataset) shares stay; only the deleted contents are asked about.
                var shared = await IsReferencedAsync(content).ConfigureAwait(false);
                if (!shared && _artifacts is LocalArtifactStore local && local.Delete(content))
                {
                    reclaimed += content.Length;
                }
            }

            return new DatasetPruneResult(dataset, deleted, keptForLineage, reclaimed);
        }
        finally
        {
            _contentGate.Release();
        }
    }

    private static async Task<HashSet<long>> LineageSequencesAsync(IModelRegistry registry, string dataset, CancellationToken cancellationToken)
    {
        var sequences = new HashSet<long>();
        await foreach (var model in registry.ListModelsAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (var version in registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false))
            {
                foreach (var reference in version.Datasets)
                {
                    sequences.UnionWith(BatchLineage.Sequences(reference.Name, dataset));
                }
            }
        }

        return sequences;
    }

    /// <summary>Lists the SHA-256 of every batch and batch part the store keeps: what garbage collection of a shared artifact store must spare.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The referenced hashes.</returns>
    public async IAsyncEnumerable<string> ListReferencedArtifactsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var hashes = new List<string>();
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT content_sha256 FROM batches UNION SELECT sha256 FROM batch_parts";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                hashes.Add(reader.GetString(0));
            }
        }

        foreach (var hash in hashes)
        {
            yield return hash;
        }
    }

    private async Task<bool> IsReferencedAsync(ArtifactReference content)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT EXISTS(SELECT 1 FROM batches WHERE content_sha256 = $sha) OR EXISTS(SELECT 1 FROM batch_parts WHERE sha256 = $sha)";
            command.Parameters.AddWithValue("$sha", content.Sha256);
            return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) != 0;
        }
    }

    // Not cancellable once begun: the rows of one prune go together.
    private async Task DeleteIndexRowsAsync(string dataset, IReadOnlyList<DatasetBatch> batches)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false);
            foreach (var batch in batches)
            {
                using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM batches WHERE dataset = $d AND sequence = $s; DELETE FROM batch_parts WHERE dataset = $d AND sequence = $s";
                delete.Parameters.AddWithValue("$d", dataset);
                delete.Parameters.AddWithValue("$s", batch.Sequence);
                await delete.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            transaction.Commit();
        }
    }
}
