namespace ModelRetraining;

/// <summary>The batches of a dataset received in a window, read as one data set; its location names every batch it read.</summary>
internal sealed class BatchWindowSource(DatasetStore store, string dataset, DateTimeOffset? from, DateTimeOffset? to, string? labelColumn, string? timeColumn) : IDataSource
{
    public string Name => from is null && to is null ? dataset : $"{dataset} [{Format(from)} .. {Format(to)})";

    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        var batches = await store.BatchesAsync(dataset, from, to, cancellationToken).ConfigureAwait(false);
        if (batches.Count == 0)
        {
            throw new InvalidDataException($"No batch of dataset '{dataset}' was received in {Name}; nothing to read.");
        }

        var mixed = batches.Where(b => b.SchemaHash != batches[0].SchemaHash).ToArray();
        if (mixed.Length > 0)
        {
            throw new InvalidDataException($"The batches of '{Name}' do not share one schema: {mixed[0].Id} differs from {batches[0].Id} (columns, kinds or roles); read them as separate windows.");
        }

        DatasetSnapshotBuilder? builder = null;
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var part in batch.Parts)
            {
                var (columns, rows) = BatchCodec.Decode(await store.ReadContentAsync(part, cancellationToken).ConfigureAwait(false));
                builder ??= new DatasetSnapshotBuilder(columns);
                foreach (var row in rows)
                {
                    builder.Add(row);
                }
            }
        }

        var ids = batches.Count <= 10 ? string.Join(", ", batches.Select(b => $"{b.Id} {b.Fingerprint}")) : $"{batches[0].Id} .. {batches[^1].Id} ({batches.Count} batches)";
        return builder!.Build(Name, labelColumn, timeColumn, [], $"dataset store: {ids}");
    }

    private static string Format(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) ?? "…";
}
