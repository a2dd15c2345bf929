using System.Reflection;

namespace ModelRetraining;

/// <summary>
/// Rows from objects a host already has (an in-memory list, an event feed, an ORM query): one column per
/// public property or field of <typeparamref name="T"/>, named by ML.NET's <c>[ColumnName]</c> or the member
/// name, <c>[NoColumn]</c> members left out. The rows are enumerated afresh on every load, and fingerprinted
/// from their values. Create it with <see cref="DataSource.FromEnumerable{T}"/> or <see cref="DataSource.FromAsyncEnumerable{T}"/>.
/// </summary>
/// <typeparam name="T">The row type: numeric (float, double, int, long, short, decimal, nullable or not), string, bool, DateTime or DateTimeOffset members.</typeparam>
public sealed class ObjectDataSource<T> : IDataSource
{
    private readonly Func<CancellationToken, IAsyncEnumerable<T>> _rows;
    private readonly (DataColumn Column, Func<T, object?> Read)[] _members;

    internal ObjectDataSource(string name, Func<CancellationToken, IAsyncEnumerable<T>> rows, string? labelColumn, string? timeColumn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _rows = rows;
        Name = name;
        _members = Members();
        var names = _members.Select(m => m.Column.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (what, column) in new[] { ("label", labelColumn), ("time", timeColumn) })
        {
            if (column is not null && !names.Contains(column))
            {
                throw new ArgumentException($"The {what} column '{column}' is not a column of {typeof(T).Name} (its columns: {string.Join(", ", names)}).", what == "label" ? nameof(labelColumn) : nameof(timeColumn));
            }
        }

        if (timeColumn is not null && _members.Single(m => m.Column.Name == timeColumn).Column.Kind != DataColumnKind.DateTime)
        {
            throw new ArgumentException($"The time column '{timeColumn}' of {typeof(T).Name} is not a DateTime or DateTimeOffset.", nameof(timeColumn));
        }

        Schema = new DataSchema([.. _members.Select(m => m.Column)], labelColumn, timeColumn);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the schema read from <typeparamref name="T"/>.</summary>
    public DataSchema Schema { get; }

    /// <inheritdoc />
    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var builder = new DatasetSnapshotBuilder(Schema.Columns);
        var values = new object?[_members.Length];
        var issues = new List<DataValidationIssue>();
        long nullRows = 0, firstNull = 0;
        await foreach (var row in _rows(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (row is null)
            {
                // A null row has no values to read: reported once with its count, like a malformed CSV row.
                nullRows++;
                firstNull = firstNull == 0 ? builder.Rows + nullRows : firstNull;
                continue;
            }

            for (var c = 0; c < _members.Length; c++)
            {
                values[c] = _members[c].Read(row);
            }

            builder.Add(values);
            if ((builder.Rows & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        if (nullRows > 0)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, "objects.null-row", $"'{Name}' yielded {nullRows} null rows, the first as row {firstNull}; they were left out.") { Row = firstNull, Source = Name });
        }

        return builder.Build(Name, Schema.LabelColumn, Schema.TimeColumn, issues, null);
    }

    private static (DataColumn, Func<T, object?>)[] Members()
    {
        var members = ColumnMembers.Of(typeof(T)).ToArray();
        var problems = new List<string>();
        var result = new List<(DataColumn, Func<T, object?>)>();
        foreach (var member in members)
        {
            var type = ColumnMembers.TypeOf(member);
            var name = ColumnMembers.ColumnName(member);
            if (Kind(type) is not { } kind)
            {
                problems.Add($"{typeof(T).Name}.{member.Name} is {type.Name}");
                continue;
            }

            result.Add((new DataColumn(name, kind), Reader(member, type)));
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"{typeof(T).Name} has members of types a column cannot hold ({string.Join("; ", problems)}): use numeric, string, bool, DateTime or DateTimeOffset members, or mark them [NoColumn].", nameof(T));
        }

        if (result.Count == 0)
        {
            throw new ArgumentException($"{typeof(T).Name} has no public property or field to read as a column.", nameof(T));
        }

        return [.. result];
    }

    private static DataColumnKind? Kind(Type type)
    {
        var core = Nullable.GetUnderlyingType(type) ?? type;
        return core == typeof(string) ? DataColumnKind.Text
            : core == typeof(bool) ? DataColumnKind.Boolean
            : core == typeof(DateTime) || core == typeof(DateTimeOffset) ? DataColumnKind.DateTime
            : core == typeof(float) || core == typeof(double) || core == typeof(int) || core == typeof(long) || core == typeof(short) || core == typeof(decimal) ? DataColumnKind.Numeric
            : null;
    }

    // Values come out as the column's kind: numbers as float (NaN when null), DateTimeOffset as its UTC DateTime.
    private static Func<T, object?> Reader(MemberInfo member, Type type)
    {
        var get = ColumnMembers.Getter<T>(member);
        var core = Nullable.GetUnderlyingType(type) ?? type;
        return Kind(type) switch
        {
            DataColumnKind.Numeric => r => get(r) is { } v ? Convert.ToSingle(v, System.Globalization.CultureInfo.InvariantCulture) : float.NaN,
            DataColumnKind.DateTime when core == typeof(DateTimeOffset) => r => get(r) is DateTimeOffset at ? at.UtcDateTime : null,
            _ => get,
        };
    }
}
