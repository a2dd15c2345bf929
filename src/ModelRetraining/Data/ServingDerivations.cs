using System.Reflection;

namespace ModelRetraining;

/// <summary>
/// Computes a <see cref="CsvSchema"/>'s derived columns on serving inputs, with the same code and in the same
/// order as <see cref="CsvDataSource"/> computed them on the training rows, so a served model sees the
/// features it was trained on (no hand-written copy of a derivation to drift from the original). Create it
/// with <see cref="CsvSchema.DerivationsFor{TInput}"/> and give it to the model server, which applies it to
/// every input before predicting and refuses a version trained on a derived column this does not compute.
/// </summary>
/// <remarks>
/// Members of <typeparamref name="TInput"/> are matched to columns by ML.NET's <c>[ColumnName]</c> or, without
/// it, by their name (public properties and fields). The label is not derived: at serving time the values it
/// is computed from are what the model predicts. A read column the input type lacks is an error only when a
/// derivation reads it, and then it names the column and the type. Thread-safe; each call uses a row of
/// its own thread. The parsed values are boxed (one small allocation per read or derived value).
/// </remarks>
/// <typeparam name="TInput">The serving input type.</typeparam>
public sealed class ServingDerivations<TInput>
    where TInput : class
{
    private readonly Dictionary<string, int> _index;
    private readonly Func<TInput, object?>?[] _readers;
    private readonly string?[] _absent;
    private readonly (int Position, Func<CsvRow, object?> Compute, Action<TInput, object?> Write)[] _derived;

    // The row last used on this thread, reused while the same derivations run there (most servers have one).
    [ThreadStatic]
    private static (ServingDerivations<TInput>? Owner, CsvRow? Row) t_row;

    internal ServingDerivations(CsvSchema schema)
    {
        var columns = schema.Columns;
        _index = columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        _readers = new Func<TInput, object?>?[columns.Count];
        _absent = new string?[columns.Count];
        var derived = new List<(int, Func<CsvRow, object?>, Action<TInput, object?>)>();
        var problems = new List<string>();
        var type = typeof(TInput);
        for (var c = 0; c < columns.Count; c++)
        {
            var column = columns[c];
            var member = Find(column.Name);
            if (column.Compute is { } compute)
            {
                if (column.Name == schema.LabelColumn)
                {
                    _absent[c] = $"Column '{column.Name}' is the label: it is not derived at serving time.";
                    continue;
                }

                if (member is null || Writer(member, column.Kind) is not { } write)
                {
                    problems.Add(member is null
                        ? $"the derived column '{column.Name}' ({column.Kind}) has no member in {type.Name} (a public property or field named so, or with [ColumnName(\"{column.Name}\")])"
                        : $"{type.Name}.{member.Name} cannot hold the derived {column.Kind} column '{column.Name}' (it is {MemberType(member).Name})");
                    continue;
                }

                derived.Add((c, compute, write));
            }
            else if (member is null)
            {
                _absent[c] = $"Column '{column.Name}' is read by a derivation, but {type.Name} has no member for it (a public property or field named so, or with [ColumnName(\"{column.Name}\")]).";
            }
            else if (Reader(member, column.Kind) is { } read)
            {
                _readers[c] = read;
            }
            else
            {
                problems.Add($"{type.Name}.{member.Name} cannot hold the {column.Kind} column '{column.Name}' (it is {MemberType(member).Name})");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The schema's derivations cannot be computed on {type.Name}: {string.Join("; ", problems)}.", nameof(schema));
        }

        _derived = [.. derived];
        Columns = _derived.Select(d => columns[d.Position].Name).ToArray();
    }

    /// <summary>Gets the derived columns this computes, in the schema's order (the label excluded).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Computes the derived columns from the input's read columns and writes them into the input.</summary>
    /// <param name="input">The input; changed in place.</param>
    /// <exception cref="InvalidOperationException">A derivation read a column the input type has no member for.</exception>
    public void Apply(TInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_derived.Length == 0)
        {
            return;
        }

        var row = t_row.Owner == this ? t_row.Row! : NewRow();
        var values = row.Values;
        for (var c = 0; c < values.Length; c++)
        {
            values[c] = _readers[c] is { } read ? read(input) : null;
        }

        foreach (var (position, compute, write) in _derived)
        {
            var value = compute(row);
            values[position] = value;
            write(input, value);
        }
    }

    private CsvRow NewRow()
    {
        var row = new CsvRow(_index, new object?[_readers.Length], _absent);
        t_row = (this, row);
        return row;
    }

    private static MemberInfo? Find(string column) => ColumnMembers.Of(typeof(TInput)).FirstOrDefault(m => ColumnMembers.ColumnName(m) == column);

    private static Type MemberType(MemberInfo member) => ColumnMembers.TypeOf(member);

    private static Func<TInput, object?>? Reader(MemberInfo member, DataColumnKind kind)
    {
        if (member is PropertyInfo { CanRead: false })
        {
            return null;
        }

        var get = ColumnMembers.Getter<TInput>(member);
        var type = MemberType(member);
        return kind switch
        {
            DataColumnKind.Numeric when type == typeof(float) => get,
            DataColumnKind.Numeric when type == typeof(double) => i => (float)(double)get(i)!,
            DataColumnKind.Numeric when type == typeof(int) => i => (float)(int)get(i)!,
            DataColumnKind.Numeric when type == typeof(long) => i => (float)(long)get(i)!,
            DataColumnKind.Text when type == typeof(string) => get,
            DataColumnKind.Boolean when type == typeof(bool) || type == typeof(bool?) => get,
            DataColumnKind.DateTime when type == typeof(DateTime) || type == typeof(DateTime?) => get,
            _ => null,
        };
    }

    private static Action<TInput, object?>? Writer(MemberInfo member, DataColumnKind kind)
    {
        if (member is PropertyInfo { CanWrite: false } || member is FieldInfo { IsInitOnly: true })
        {
            return null;
        }

        var set = ColumnMembers.Setter<TInput>(member);
        var type = MemberType(member);
        return kind switch
        {
            DataColumnKind.Numeric when type == typeof(float) => set,
            DataColumnKind.Numeric when type == typeof(double) => (i, v) => set(i, (double)(float)v!),
            DataColumnKind.Text when type == typeof(string) => (i, v) => set(i, v as string ?? string.Empty),
            DataColumnKind.Boolean when type == typeof(bool?) => set,

            // A non-nullable Boolean cannot say "missing"; ML.NET reads a missing Boolean cell as false too.
            DataColumnKind.Boolean when type == typeof(bool) => (i, v) => set(i, v as bool? ?? false),
            DataColumnKind.DateTime when type == typeof(DateTime?) => set,
            DataColumnKind.DateTime when type == typeof(DateTime) => (i, v) => set(i, v as DateTime? ?? default),
            _ => null,
        };
    }
}
