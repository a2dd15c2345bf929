namespace ModelRetraining;

/// <summary>Grows one typed column while a file is read; <see cref="Add(object)"/> tells whether the value was present.</summary>
internal abstract class ColumnBuffer
{
    public static ColumnBuffer Create(DataColumnKind kind) => kind switch
    {
        DataColumnKind.Numeric => new Numeric(),
        DataColumnKind.Text => new Text(),
        DataColumnKind.Boolean => new Boolean(),
        DataColumnKind.DateTime => new Time(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown column kind."),
    };

    public abstract bool Add(object? value);

    /// <summary>Adds a parsed CSV field of the buffer's kind, unboxed.</summary>
    public abstract bool Add(in CsvCell cell);

    public abstract Array ToArray();

    private sealed class Numeric : ColumnBuffer
    {
        private readonly List<float> _values = [];

        public override bool Add(object? value)
        {
            var number = value is float f ? f : float.NaN;
            _values.Add(number);
            return !float.IsNaN(number);
        }

        public override bool Add(in CsvCell cell)
        {
            _values.Add(cell.Number);
            return !float.IsNaN(cell.Number);
        }

        public override Array ToArray() => _values.ToArray();
    }

    private sealed class Text : ColumnBuffer
    {
        private readonly List<ReadOnlyMemory<char>> _values = [];

        public override bool Add(object? value)
        {
            var text = value as string ?? string.Empty;
            _values.Add(text.AsMemory());
            return text.Length > 0;
        }

        public override bool Add(in CsvCell cell)
        {
            var text = cell.Text ?? string.Empty;
            _values.Add(text.AsMemory());
            return text.Length > 0;
        }

        public override Array ToArray() => _values.ToArray();
    }

    private sealed class Boolean : ColumnBuffer
    {
        private readonly List<bool> _values = [];

        public override bool Add(object? value)
        {
            _values.Add(value is true);
            return value is bool;
        }

        public override bool Add(in CsvCell cell)
        {
            _values.Add(cell.HasFlag && cell.Flag);
            return cell.HasFlag;
        }

        public override Array ToArray() => _values.ToArray();
    }

    private sealed class Time : ColumnBuffer
    {
        private readonly List<DateTime> _values = [];

        public override bool Add(object? value)
        {
            _values.Add(value is DateTime at ? at : default);
            return value is DateTime;
        }

        public override bool Add(in CsvCell cell)
        {
            _values.Add(cell.HasTime ? cell.Time : default);
            return cell.HasTime;
        }

        public override Array ToArray() => _values.ToArray();
    }
}
