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

    /// <summary>
    /// Gets the values: the buffer's own array, whose first values are the column (it may be up to an eighth
    /// longer; <see cref="ColumnarDataView"/> reads only its rows), so a presized column is not copied a last time.
    /// </summary>
    public abstract Array Values();

    /// <summary>Makes room for <paramref name="capacity"/> values without growing.</summary>
    public abstract void EnsureCapacity(int capacity);

    /// <summary>Gets the bytes one value takes in the buffer.</summary>
    public abstract int ValueSize { get; }

    private abstract class Of<T> : ColumnBuffer
    {
        private T[] _items = new T[16];
        private int _count;

        public override int ValueSize => System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

        // A presized column (a few percent over) is handed out as it is; one grown by doubling is cut to
        // size, so a snapshot does not hold up to twice its values for its whole life.
        public override Array Values()
        {
            if (_count < _items.Length - (_items.Length / 8))
            {
                Array.Resize(ref _items, _count);
            }

            return _items;
        }

        public override void EnsureCapacity(int capacity)
        {
            if (capacity > _items.Length)
            {
                Array.Resize(ref _items, capacity);
            }
        }

        protected void Append(T value)
        {
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, (int)Math.Min(Array.MaxLength, Math.Max(16, 2L * _items.Length)));
            }

            _items[_count++] = value;
        }
    }

    private sealed class Numeric : Of<float>
    {
        public override bool Add(object? value)
        {
            var number = value is float f ? f : float.NaN;
            Append(number);
            return !float.IsNaN(number);
        }

        public override bool Add(in CsvCell cell)
        {
            Append(cell.Number);
            return !float.IsNaN(cell.Number);
        }
    }

    private sealed class Text : Of<ReadOnlyMemory<char>>
    {
        public override bool Add(object? value)
        {
            var text = value as string ?? string.Empty;
            Append(text.AsMemory());
            return text.Length > 0;
        }

        public override bool Add(in CsvCell cell)
        {
            var text = cell.Text ?? string.Empty;
            Append(text.AsMemory());
            return text.Length > 0;
        }
    }

    private sealed class Boolean : Of<bool>
    {
        public override bool Add(object? value)
        {
            Append(value is true);
            return value is bool;
        }

        public override bool Add(in CsvCell cell)
        {
            Append(cell.HasFlag && cell.Flag);
            return cell.HasFlag;
        }
    }

    private sealed class Time : Of<DateTime>
    {
        public override bool Add(object? value)
        {
            Append(value is DateTime at ? at : default);
            return value is DateTime;
        }

        public override bool Add(in CsvCell cell)
        {
            Append(cell.HasTime ? cell.Time : default);
            return cell.HasTime;
        }
    }
}
