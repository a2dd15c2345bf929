using Npgsql;

namespace ModelRetraining.PostgreSql;

// One version read in one round trip: the version and its metrics, parameters, tags, data sets and
// attachments as one batch of six queries.
internal sealed partial class PostgreSqlModelRegistry
{
    private static async Task<ModelVersion?> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, int number, CancellationToken cancellationToken)
    {
        const string which = "@v";
        (string, object?)[] parameters = [("m", model), ("v", number)];
        var batch = new NpgsqlBatch(connection, transaction);
        await using var batchScope = batch.ConfigureAwait(false);
        Add(batch, $"SELECT version, artifact_sha256, artifact_length, flavor, file_name, created_at, created_by, parent_version, run_id, description, decision FROM versions WHERE model = @m AND version = {which}", parameters);
        Add(batch, $"SELECT name, value, direction FROM version_metrics WHERE model = @m AND version = {which} ORDER BY name", parameters);
        Add(batch, $"SELECT key, value FROM version_parameters WHERE model = @m AND version = {which} ORDER BY key", parameters);
        Add(batch, $"SELECT key, value FROM version_tags WHERE model = @m AND version = {which} ORDER BY key", parameters);
        Add(batch, $"SELECT role, name, fingerprint, rows FROM version_datasets WHERE model = @m AND version = {which} ORDER BY role, name", parameters);
        Add(batch, $"SELECT name, flavor, file_name, sha256, length FROM version_attachments WHERE model = @m AND version = {which} ORDER BY name", parameters);
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var version = new ModelVersion(model, reader.GetInt32(0), new ArtifactReference(reader.GetString(1), reader.GetInt64(2)), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6))
        {
            ArtifactFileName = reader.GetString(4),
            ParentVersion = reader.IsDBNull(7) ? null : reader.GetInt32(7),
            RunId = reader.IsDBNull(8) ? null : reader.GetString(8),
            Description = reader.IsDBNull(9) ? null : reader.GetString(9),
            Decision = reader.IsDBNull(10) ? null : reader.GetString(10),
        };

        var metrics = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            metrics[reader.GetString(0)] = new MetricValue(reader.GetString(0), reader.GetDouble(1), (MetricDirection)reader.GetInt32(2));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var parametersRead = await PairsAsync(reader, cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var tags = await PairsAsync(reader, cancellationToken).ConfigureAwait(false);

        var datasets = new List<DatasetReference>();
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            datasets.Add(new DatasetReference(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
        }

        var attachments = new List<ModelAttachment>();
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            attachments.Add(new ModelAttachment(reader.GetString(0), reader.GetString(1), reader.GetString(2), new ArtifactReference(reader.GetString(3), reader.GetInt64(4))));
        }

        return version with { Metrics = metrics, Parameters = parametersRead, Tags = tags, Datasets = datasets, Attachments = attachments };
    }

    private static async Task<Dictionary<string, string>> PairsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pairs[reader.GetString(0)] = reader.GetString(1);
        }

        return pairs;
    }
}
