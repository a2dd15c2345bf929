using Npgsql;

namespace ModelRetraining.PostgreSql;

// A version in one statement, so one round trip and one snapshot: the version's row with its metrics,
// parameters, tags, data sets and attachments as arrays (each ordered by its key). A read by alias
// resolves the alias inside the same statement, so a move committed meanwhile can never mix two versions.
internal sealed partial class PostgreSqlModelRegistry
{
    private const string VersionColumns = """
        SELECT v.version, v.artifact_sha256, v.artifact_length, v.flavor, v.file_name, v.created_at, v.created_by,
               v.parent_version, v.run_id, v.description, v.decision,
               m.names, m.values, m.directions,
               p.keys, p.values,
               t.keys, t.values,
               d.roles, d.names, d.fingerprints, d.rows,
               a.names, a.flavors, a.file_names, a.sha256s, a.lengths
        FROM versions v
        CROSS JOIN LATERAL (SELECT array_agg(name ORDER BY name) AS names, array_agg(value ORDER BY name) AS values, array_agg(direction ORDER BY name) AS directions
                            FROM version_metrics WHERE model = v.model AND version = v.version) m
        CROSS JOIN LATERAL (SELECT array_agg(key ORDER BY key) AS keys, array_agg(value ORDER BY key) AS values
                            FROM version_parameters WHERE model = v.model AND version = v.version) p
        CROSS JOIN LATERAL (SELECT array_agg(key ORDER BY key) AS keys, array_agg(value ORDER BY key) AS values
                            FROM version_tags WHERE model = v.model AND version = v.version) t
        CROSS JOIN LATERAL (SELECT array_agg(role ORDER BY role, name) AS roles, array_agg(name ORDER BY role, name) AS names,
                                   array_agg(fingerprint ORDER BY role, name) AS fingerprints, array_agg(rows ORDER BY role, name) AS rows
                            FROM version_datasets WHERE model = v.model AND version = v.version) d
        CROSS JOIN LATERAL (SELECT array_agg(name ORDER BY name) AS names, array_agg(flavor ORDER BY name) AS flavors, array_agg(file_name ORDER BY name) AS file_names,
                                   array_agg(sha256 ORDER BY name) AS sha256s, array_agg(length ORDER BY name) AS lengths
                            FROM version_attachments WHERE model = v.model AND version = v.version) a
        """;

    private static Task<ModelVersion?> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, int number, CancellationToken cancellationToken)
        => ReadOneVersionAsync(connection, transaction, model, $"{VersionColumns} WHERE v.model = @m AND v.version = @v", cancellationToken, ("m", model), ("v", number));

    private static Task<ModelVersion?> ReadVersionByAliasAsync(NpgsqlConnection connection, string model, string alias, CancellationToken cancellationToken)
        => ReadOneVersionAsync(connection, null, model, $"{VersionColumns} JOIN aliases al ON al.model = v.model AND al.version = v.version WHERE al.model = @m AND al.alias = @a", cancellationToken, ("m", model), ("a", alias));

    private static async Task<ModelVersion?> ReadOneVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var versions = await QueryAsync(connection, transaction, sql, r => ReadVersion(r, model), cancellationToken, parameters).ConfigureAwait(false);
        return versions.Count == 0 ? null : versions[0];
    }

    private static ModelVersion ReadVersion(NpgsqlDataReader r, string model)
    {
        var metricNames = Array<string>(r, 11);
        var metricValues = Array<double>(r, 12);
        var directions = Array<int>(r, 13);
        var metrics = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        for (var i = 0; i < metricNames.Length; i++)
        {
            metrics[metricNames[i]] = new MetricValue(metricNames[i], metricValues[i], (MetricDirection)directions[i]);
        }

        var roles = Array<string>(r, 18);
        var datasetNames = Array<string>(r, 19);
        var fingerprints = Array<string>(r, 20);
        var rows = Array<long>(r, 21);
        var attachmentNames = Array<string>(r, 22);
        var flavors = Array<string>(r, 23);
        var fileNames = Array<string>(r, 24);
        var hashes = Array<string>(r, 25);
        var lengths = Array<long>(r, 26);
        return new ModelVersion(model, r.GetInt32(0), new ArtifactReference(r.GetString(1), r.GetInt64(2)), r.GetString(3), r.GetFieldValue<DateTimeOffset>(5), r.GetString(6))
        {
            ArtifactFileName = r.GetString(4),
            ParentVersion = r.IsDBNull(7) ? null : r.GetInt32(7),
            RunId = r.IsDBNull(8) ? null : r.GetString(8),
            Description = r.IsDBNull(9) ? null : r.GetString(9),
            Decision = r.IsDBNull(10) ? null : r.GetString(10),
            Metrics = metrics,
            Parameters = Pairs(r, 14),
            Tags = Pairs(r, 16),
            Datasets = [.. roles.Select((role, i) => new DatasetReference(role, datasetNames[i], fingerprints[i], rows[i]))],
            Attachments = [.. attachmentNames.Select((name, i) => new ModelAttachment(name, flavors[i], fileNames[i], new ArtifactReference(hashes[i], lengths[i])))],
        };
    }

    // array_agg over no rows is NULL, not an empty array.
    private static T[] Array<T>(NpgsqlDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<T[]>(ordinal);

    private static Dictionary<string, string> Pairs(NpgsqlDataReader reader, int keys)
    {
        var names = Array<string>(reader, keys);
        var values = Array<string>(reader, keys + 1);
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            pairs[names[i]] = values[i];
        }

        return pairs;
    }
}
