using System.Data.Common;
using System.Globalization;

namespace ModelRetraining;

/// <summary>
/// Rows of a SQL query through any ADO.NET provider (SQLite, PostgreSQL, SQL Server), so a team that trains
/// from its own tables needs no export step. Column types come from the provider (numbers, text, Booleans,
/// date-times); <see cref="WithColumn"/> declares the kind where the provider cannot say (SQLite keeps dates as
/// text and Booleans as integers). <see cref="Since"/> reads incrementally: only rows whose watermark column
/// is past a value (the end of the last training window). Create it with <see cref="DataSource.FromQuery"/>.
/// </summary>
public sealed class DbQueryDataSource : IDataSource
{
    private readonly Func<DbConnection> _connect;
    private readonly string _query;
    private readonly IReadOnlyDictionary<string, DataColumnKind> _kinds;
    private readonly string? _labelColumn;
    private readonly string? _timeColumn;
    private readonly (string Column, object Value)? _since;

    internal DbQueryDataSource(string name, Func<DbConnection> connect, string query, IReadOnlyDictionary<string, DataColumnKind> kinds, string? labelColumn, string? timeColumn, (string, object)? since)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        (Name, _connect, _query, _kinds, _labelColumn, _timeColumn, _since) = (name, connect, query, kinds, labelColumn, timeColumn, since);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    /// <summary>Declares a column's kind, for values the provider reports as another type (ISO 8601 text as DateTime, 0/1 integers as Boolean).</summary>
    /// <param name="column">The column, as the query names it.</param>
    /// <param name="kind">Its kind.</param>
    /// <returns>A new source; this one is unchanged.</returns>
    public DbQueryDataSource WithColumn(string column, DataColumnKind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        return new(Name, _connect, _query, new Dictionary<string, DataColumnKind>(_kinds, StringComparer.Ordinal) { [column] = kind }, _labelColumn, _timeColumn, _since);
    }

    /// <summary>Reads only rows whose <paramref name="watermarkColumn"/> is greater than <paramref name="after"/>, in its order: the query is wrapped as <c>SELECT * FROM (query) WHERE column &gt; @after ORDER BY column</c>.</summary>
    /// <param name="watermarkColumn">A column of the query that grows with new rows (an id, an insert time); letters, digits and underscores only, as it becomes part of the SQL.</param>
    /// <param name="after">The last value already used (passed as a parameter, never spliced into the SQL).</param>
    /// <returns>A new source; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">The column name holds other characters.</exception>
    public DbQueryDataSource Since(string watermarkColumn, object after)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (string.IsNullOrEmpty(watermarkColumn) || !watermarkColumn.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(watermarkColumn[0]))
        {
            throw new ArgumentException($"The watermark column '{SafeText.Escape(watermarkColumn)}' must be a plain identifier (letters, digits, underscores): it becomes part of the SQL.", nameof(watermarkColumn));
        }

        return new(Name, _connect, _query, _kinds, _labelColumn, _timeColumn, (watermarkColumn, after));
    }

    /// <inheritdoc />
    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = _connect();
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = _since is { } since
                    ? $"SELECT * FROM ({_query}) AS watermarked WHERE {since.Column} > @after ORDER BY {since.Column}"
                    : _query;
                if (_since is { } s)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "@after";
                    parameter.Value = s.Value;
                    command.Parameters.Add(parameter);
                }

                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await ReadAsync(reader, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<DatasetSnapshot> ReadAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var hasRow = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var columns = new DataColumn[reader.FieldCount];
        var problems = new List<string>();
        for (var i = 0; i < columns.Length; i++)
        {
            var name = reader.GetName(i);
            var type = hasRow && !reader.IsDBNull(i) ? reader.GetValue(i).GetType() : reader.GetFieldType(i);
            if ((_kinds.TryGetValue(name, out var declared) ? declared : KindOf(type)) is { } kind)
            {
                columns[i] = new DataColumn(name, kind);
            }
            else
            {
                problems.Add($"'{name}' is {type.Name}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException($"The query of '{Name}' returns columns of types no column can hold ({string.Join("; ", problems)}): cast them in the query, or declare their kind with WithColumn.");
        }

        foreach (var (what, column) in new[] { ("label", _labelColumn), ("time", _timeColumn) })
        {
            if (column is not null && !columns.Any(c => c.Name == column))
            {
                throw new InvalidDataException($"The {what} column '{column}' is not a column of the query of '{Name}' (its columns: {string.Join(", ", columns.Select(c => c.Name))}).");
            }
        }

        var builder = new DatasetSnapshotBuilder(columns);
        var values = new object?[columns.Length];
        var issues = new Dictionary<string, (long Count, long FirstRow, string Value)>(StringComparer.Ordinal);
        object? last = null;
        while (hasRow)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                var raw = reader.IsDBNull(i) ? null : reader.GetValue(i);
                if (!TryConvert(raw, columns[i].Kind, out values[i]))
                {
                    var (count, first, value) = issues.GetValueOrDefault(columns[i].Name);
                    issues[columns[i].Name] = (count + 1, first == 0 ? builder.Rows + 1 : first, first == 0 ? Convert.ToString(raw, CultureInfo.InvariantCulture) ?? string.Empty : value);
                }
            }

            last = _since is { } s ? reader[s.Column] : null;
            builder.Add(values);
            hasRow = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        var readIssues = issues.Select(p => new DataValidationIssue(ValidationSeverity.Error, "query.type", $"Column '{p.Key}' of '{Name}' is {columns.First(c => c.Name == p.Key).Kind}, but row {p.Value.FirstRow} holds '{(p.Value.Value.Length <= 40 ? p.Value.Value : p.Value.Value[..40] + "…")}' ({p.Value.Count} values in all; read as missing).") { Column = p.Key, Row = p.Value.FirstRow, Source = Name }).ToArray();
        var location = _since is { } w ? $"{Name}: {_query} (rows with {w.Column} > {Convert.ToString(w.Value, CultureInfo.InvariantCulture)}{(last is null ? ": none" : $", up to {Convert.ToString(last, CultureInfo.InvariantCulture)}")})" : $"{Name}: {_query}";
        return builder.Build(Name, _labelColumn, _timeColumn, readIssues, location);
    }

    private static DataColumnKind? KindOf(Type type)
        => type == typeof(string) ? DataColumnKind.Text
            : type == typeof(bool) ? DataColumnKind.Boolean
            : type == typeof(DateTime) || type == typeof(DateTimeOffset) ? DataColumnKind.DateTime
            : type == typeof(float) || type == typeof(double) || type == typeof(decimal) || type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) ? DataColumnKind.Numeric
            : null;

    private static bool TryConvert(object? raw, DataColumnKind kind, out object? value)
    {
        value = null;
        switch (raw)
        {
            case null:
                value = kind == DataColumnKind.Numeric ? float.NaN : null;
                return true;
            case string text when kind == DataColumnKind.Text:
                value = text;
                return true;
            case string text when kind == DataColumnKind.DateTime:
                // Text dates as the CSV reader reads them: ISO 8601, in UTC.
                var parsed = CsvDataSource.TryParseUtc(text, null, CultureInfo.InvariantCulture, out var parsedAt);
                value = parsed ? parsedAt : null;
                return parsed;
            case DateTime at when kind == DataColumnKind.DateTime:
                value = at.Kind == DateTimeKind.Local ? at.ToUniversalTime() : at;
                return true;
            case DateTimeOffset at when kind == DataColumnKind.DateTime:
                value = at.UtcDateTime;
                return true;
            case bool b when kind == DataColumnKind.Boolean:
                value = b;
                return true;
            case long or int or short or byte when kind == DataColumnKind.Boolean:
                var n = Convert.ToInt64(raw, CultureInfo.InvariantCulture);
                value = n == 1 ? true : n == 0 ? false : null;
                return n is 0 or 1;
            case IConvertible number when kind == DataColumnKind.Numeric && raw is not (string or bool or DateTime):
                value = Convert.ToSingle(number, CultureInfo.InvariantCulture);
                return true;
            case var other when kind == DataColumnKind.Text:
                value = Convert.ToString(other, CultureInfo.InvariantCulture);
                return true;
            default:
                return false;
        }
    }
}
