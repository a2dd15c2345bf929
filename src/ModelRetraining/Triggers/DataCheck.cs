using System.Globalization;
using System.Text;

namespace ModelRetraining;

/// <summary>
/// Periodic checks of recent data that fire triggers: data-set drift against the champion's stored
/// training-data profile, and enough new rows since the champion was trained.
/// </summary>
public static class DataCheck
{
    /// <summary>Loads recent data, compares its profile with the champion's, and returns a <c>drift</c> trigger when the data set drifted.</summary>
    /// <param name="registry">The registry holding the champion.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="recent">The recent data.</param>
    /// <param name="options">Drift settings; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The trigger, or <see langword="null"/> when nothing drifted or there is no champion profile.</returns>
    public static async ValueTask<RetrainingTrigger?> DriftAsync(IModelRegistry registry, string modelName, IDataSource recent, DriftOptions? options, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var champion = await registry.GetAliasAsync(modelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
        if (champion is null || champion.Attachments.All(a => a.Name != AttachmentNames.Profile))
        {
            return null;
        }

        var reference = DataProfile.FromJson(Encoding.UTF8.GetString((await registry.ReadAttachmentAsync(champion, AttachmentNames.Profile, cancellationToken).ConfigureAwait(false)).Content.Span));
        var context = new RetrainingContext(modelName, $"drift-check-{timeProvider.GetUtcNow():yyyyMMddHHmmss}", timeProvider);
        var data = await recent.LoadAsync(context, cancellationToken).ConfigureAwait(false);
        var columns = reference.Columns.Select(c => c.Name).Where(n => n != data.Schema.TimeColumn);
        var report = new DriftDetector(options).CompareProfiles(reference, DataProfile.Create(data.Data, cancellationToken), columns);
        if (!report.DatasetDrift)
        {
            return null;
        }

        return new RetrainingTrigger("drift", $"'{data.Name}' drifted from {champion}'s training data: {report.DriftedColumns} of {report.Columns.Count} columns", "drift-check", timeProvider.GetUtcNow())
        {
            Evidence = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["driftedShare"] = report.DriftedShare.ToString("0.###", CultureInfo.InvariantCulture),
                ["columns"] = string.Join(", ", report.Columns.Where(c => c.Drifted).Select(c => $"{c.Column} ({c.Method} {c.Statistic.ToString("0.####", CultureInfo.InvariantCulture)})")),
                ["data"] = data.Fingerprint,
            },
        };
    }

    /// <summary>Counts the rows of a source and returns a <c>new-data</c> trigger when they exceed the champion's training rows by at least <paramref name="minNewRows"/>.</summary>
    /// <param name="registry">The registry holding the champion.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="source">The data the champion's successor would train on.</param>
    /// <param name="minNewRows">The fewest new rows that justify a run.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The trigger, or <see langword="null"/>.</returns>
    public static ValueTask<RetrainingTrigger?> NewDataAsync(IModelRegistry registry, string modelName, IDataSource source, long minNewRows, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minNewRows, 1);
        return NewDataAsync(registry, modelName, source, minNewRows, null, timeProvider, cancellationToken);
    }

    /// <summary>Counts the rows of a source and returns a <c>new-data</c> trigger when the rows beyond the champion's training rows make at least <paramref name="minNewShare"/> of them (0.2 = 20% more data); with no champion, any rows do.</summary>
    /// <param name="registry">The registry holding the champion.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="source">The data the champion's successor would train on.</param>
    /// <param name="minNewShare">The smallest share of new rows, relative to the champion's training rows, that justifies a run.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The trigger, or <see langword="null"/>.</returns>
    public static ValueTask<RetrainingTrigger?> NewDataShareAsync(IModelRegistry registry, string modelName, IDataSource source, double minNewShare, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        if (!(minNewShare > 0) || !double.IsFinite(minNewShare))
        {
            throw new ArgumentOutOfRangeException(nameof(minNewShare), minNewShare, "The new-row share must be a positive number.");
        }

        return NewDataAsync(registry, modelName, source, null, minNewShare, timeProvider, cancellationToken);
    }

    /// <summary>
    /// Counts the rows of a dataset's batches that the champion was not trained on, from the store's index alone
    /// (no batch is read), and returns a <c>new-data</c> trigger when they reach <paramref name="minNewRows"/>.
    /// The champion's lineage names the batches of its training window (<c>flights#12</c>); every later batch is
    /// new. A champion trained on other data counts the batches received after it was registered.
    /// </summary>
    /// <param name="registry">The registry holding the champion.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="store">The dataset store.</param>
    /// <param name="dataset">The dataset.</param>
    /// <param name="minNewRows">The fewest new rows that justify a run.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The trigger, or <see langword="null"/>.</returns>
    public static async ValueTask<RetrainingTrigger?> NewBatchesAsync(IModelRegistry registry, string modelName, DatasetStore store, string dataset, long minNewRows, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(minNewRows, 1);
        var champion = await registry.GetAliasAsync(modelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
        var lineage = champion?.Datasets.FirstOrDefault(d => d.Role == "training")?.Name ?? string.Empty;
        var trainedUpTo = BatchLineage.Sequences(lineage, dataset).DefaultIfEmpty(0).Max();
        var fresh = new List<DatasetBatch>();
        await foreach (var batch in store.ListBatchesAsync(dataset, cancellationToken).ConfigureAwait(false))
        {
            var isNew = champion is null || (trainedUpTo > 0 ? batch.Sequence > trainedUpTo : batch.ReceivedAt > champion.CreatedAt);
            if (isNew)
            {
                fresh.Add(batch);
            }
        }

        var rows = fresh.Sum(b => b.Rows);
        return rows < minNewRows
            ? null
            : new RetrainingTrigger("new-data", $"{fresh.Count} batches of '{dataset}' ({rows} rows) arrived since {(champion is null ? "no champion" : $"{champion}'s training data")} (threshold {minNewRows} rows)", "new-data-check", timeProvider.GetUtcNow())
            {
                Evidence = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["rows"] = rows.ToString(CultureInfo.InvariantCulture),
                    ["batches"] = fresh.Count <= 10 ? string.Join(", ", fresh.Select(b => b.Id)) : $"{fresh[0].Id} .. {fresh[^1].Id}",
                },
            };
    }

    private static async ValueTask<RetrainingTrigger?> NewDataAsync(IModelRegistry registry, string modelName, IDataSource source, long? minNewRows, double? minNewShare, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var champion = await registry.GetAliasAsync(modelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
        var trained = champion?.Datasets.FirstOrDefault(d => d.Role == "training")?.Rows ?? 0;
        var data = await source.LoadAsync(new RetrainingContext(modelName, $"new-data-check-{timeProvider.GetUtcNow():yyyyMMddHHmmss}", timeProvider), cancellationToken).ConfigureAwait(false);
        var fresh = data.RowCount - trained;
        var enough = minNewRows is { } rows ? fresh >= rows : fresh >= 1 && (trained == 0 || fresh >= minNewShare!.Value * trained);
        var threshold = minNewRows is { } r ? $"{r} rows" : $"{minNewShare:0.###} of {trained} rows";
        return !enough
            ? null
            : new RetrainingTrigger("new-data", $"'{data.Name}' has {fresh} rows more than {(champion is null ? "no champion" : champion.ToString())} was trained on (threshold {threshold})", "new-data-check", timeProvider.GetUtcNow())
            {
                Evidence = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["rows"] = data.RowCount.ToString(CultureInfo.InvariantCulture),
                    ["trainedOn"] = trained.ToString(CultureInfo.InvariantCulture),
                    ["data"] = data.Fingerprint,
                },
            };
    }
}
