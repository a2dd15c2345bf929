using System.Globalization;

namespace ModelRetraining;

/// <summary>
/// The explicit schema of a CSV file: which columns to read with which type, which to compute from
/// others, which is the label and which orders rows in time. Columns are matched to the header by name.
/// <code>
/// var schema = new CsvSchema()
///     .Time("date").Numeric("distance").Text("origin")
///     .DeriveBoolean("Late", row => row.IsMissing("delay") ? null : row.GetNumeric("delay") &gt; 15)
///     .Label("Late");
/// </code>
/// </summary>
public sealed partial class CsvSchema
{
    private readonly List<CsvColumn> _columns = [];
    private readonly HashSet<string> _ignored = new(StringComparer.Ordinal);

    /// <summary>Gets the columns, read and derived, in order.</summary>
    public IReadOnlyList<CsvColumn> Columns => _columns;

    /// <summary>Gets the label column, if set.</summary>
    public string? LabelColumn { get; private set; }

    /// <summary>Gets the time column, if set.</summary>
    public string? TimeColumn { get; private set; }

    /// <summary>Gets or sets the field separator.</summary>
    /// <value>The default value is ','.</value>
    public char Separator { get; set; } = ',';

    /// <summary>Gets or sets the longest record read, in characters; a longer one (most likely an unterminated quote swallowing the lines after it) stops the read with its line number.</summary>
    /// <value>The default value is 1,048,576 (1 Mi characters).</value>
    public int MaxRecordLength { get; set; } = 1 << 20;

    /// <summary>
    /// Gets or sets the fraction of data rows that may be malformed (a field count other than the header's)
    /// and dropped with a warning; above it the drop is an error that blocks training. Either way the
    /// issue gives the count and the lines.
    /// </summary>
    /// <value>The default value is 0: any malformed row is an error.</value>
    public double MalformedRowTolerance { get; set; }

    /// <summary>Gets or sets a value indicating whether numeric cells may hold infinities (<c>Infinity</c>, or a number beyond the range of a 32-bit float such as <c>1e309</c>); otherwise they are reported as out of range.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowInfinity { get; set; }

    /// <summary>
    /// Gets or sets the formats date-time cells may take (.NET custom format strings, tried in order with
    /// <see cref="Culture"/>), for files that do not write ISO 8601: <c>["MM/dd/yyyy HH:mm"]</c>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: ISO 8601 only (<c>2001-01-02</c>, <c>2001-01-02 10:00:00</c>,
    /// a <c>T</c> separator, fractions of a second, a <c>Z</c> or an offset). A cell such as <c>01/02/2001</c> is then
    /// a type error naming its row, never silently 2 January or 1 February.</value>
    /// <remarks>Every date-time is read in UTC: one with <c>Z</c> or an offset is converted to UTC, one without is taken as UTC, whatever the machine's time zone.</remarks>
    public IReadOnlyList<string>? DateTimeFormats { get; set; }

    /// <summary>Gets or sets the culture <see cref="DateTimeFormats"/> are read with (month names, for instance).</summary>
    /// <value>The default value is <see cref="CultureInfo.InvariantCulture"/>.</value>
    public CultureInfo Culture { get; set; } = CultureInfo.InvariantCulture;

    /// <summary>Reads a numeric column (32-bit float; an empty cell or <c>NaN</c> is missing).</summary>
    /// <param name="name">The header name.</param>
    /// <returns>This schema.</returns>
    public CsvSchema Numeric(string name) => Add(new CsvColumn(name, DataColumnKind.Numeric, null));

    /// <summary>
    /// Ignores a column of the file: it is not read, not part of the data's schema (so the schema check does
    /// not report it as an extra column on every run); the run's journal lists it once among the ignored
    /// columns. The fingerprint still covers the raw rows, ignored cells included. For target-leaking columns (a cost known only after
    /// the fact) and free text. A column that is not in the file is no problem.
    /// </summary>
    /// <param name="name">The header name.</param>
    /// <returns>This schema.</returns>
    public CsvSchema Ignore(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _ignored.Add(name);
        return this;
    }

    /// <summary>Gets the columns <see cref="Ignore(string)"/> named.</summary>
    public IReadOnlyCollection<string> IgnoredColumns => _ignored;

    /// <summary>Reads a text column (an empty cell is missing).</summary>
    /// <param name="name">The header name.</param>
    /// <returns>This schema.</returns>
    public CsvSchema Text(string name) => Add(new CsvColumn(name, DataColumnKind.Text, null));

    /// <summary>Reads a Boolean column (<c>true/false</c>, <c>1/0</c>, <c>yes/no</c>; an empty cell is missing).</summary>
    /// <param name="name">The header name.</param>
    /// <returns>This schema.</returns>
    public CsvSchema Boolean(string name) => Add(new CsvColumn(name, DataColumnKind.Boolean, null));

    /// <summary>Reads a date-time column (invariant culture, ISO 8601 recommended).</summary>
    /// <param name="name">The header name.</param>
    /// <returns>This schema.</returns>
    public CsvSchema DateTime(string name) => Add(new CsvColumn(name, DataColumnKind.DateTime, null));

    /// <summary>
    /// Reads a date-time column and makes it the time column that <see cref="CsvDataSource.Between"/> filters on.
    /// A date-time column of that name declared already (by <see cref="Infer"/>, say) becomes the time column as it is.
    /// </summary>
    /// <param name="name">The header name.</param>
    /// <returns>This schema.</returns>
    public CsvSchema Time(string name)
    {
        if (!_columns.Any(c => c.Name == name && c.Kind == DataColumnKind.DateTime && !c.IsDerived))
        {
            DateTime(name);
        }

        TimeColumn = name;
        return this;
    }

    /// <summary>Computes a numeric column from the read columns of the same row.</summary>
    /// <param name="name">The new column's name.</param>
    /// <param name="compute">The computation; return NaN for missing.</param>
    /// <returns>This schema.</returns>
    public CsvSchema DeriveNumeric(string name, Func<CsvRow, float> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return Add(new CsvColumn(name, DataColumnKind.Numeric, row => compute(row)));
    }

    /// <summary>Computes a Boolean column from the read columns of the same row.</summary>
    /// <param name="name">The new column's name.</param>
    /// <param name="compute">The computation; return <see langword="null"/> for missing.</param>
    /// <returns>This schema.</returns>
    public CsvSchema DeriveBoolean(string name, Func<CsvRow, bool?> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return Add(new CsvColumn(name, DataColumnKind.Boolean, row => compute(row)));
    }

    /// <summary>Computes a text column from the read columns of the same row.</summary>
    /// <param name="name">The new column's name.</param>
    /// <param name="compute">The computation; return <see langword="null"/> or empty for missing.</param>
    /// <returns>This schema.</returns>
    public CsvSchema DeriveText(string name, Func<CsvRow, string?> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return Add(new CsvColumn(name, DataColumnKind.Text, row => compute(row)));
    }

    /// <summary>Makes a column the label.</summary>
    /// <param name="name">A column of this schema.</param>
    /// <returns>This schema.</returns>
    public CsvSchema Label(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        LabelColumn = name;
        return this;
    }

    /// <summary>Gets the schema as the pipeline's <see cref="DataSchema"/>, for schema validation.</summary>
    /// <returns>The schema.</returns>
    public DataSchema ToDataSchema()
        => new(_columns.Select(c => new DataColumn(c.Name, c.Kind, c.IsDerived)).ToArray(), LabelColumn, TimeColumn);

    /// <summary>
    /// Gets what computes this schema's derived columns on serving inputs of type <typeparamref name="TInput"/>,
    /// for the model server (train/serve skew: the same code computes a feature in training and serving).
    /// </summary>
    /// <typeparam name="TInput">The serving input type: a member per derived column (the label excepted), and one per read column a derivation reads.</typeparam>
    /// <returns>The derivations.</returns>
    /// <exception cref="ArgumentException">A derived column has no member of a type that can hold it; every one is named.</exception>
    public ServingDerivations<TInput> DerivationsFor<TInput>()
        where TInput : class
        => new(Clone());

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (_columns.Count == 0)
        {
            errors.Add("The CSV schema has no column.");
        }

        foreach (var duplicate in _columns.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"Column '{duplicate.Key}' is declared {duplicate.Count()} times.");
        }

        foreach (var both in _columns.Where(c => _ignored.Contains(c.Name)))
        {
            errors.Add($"Column '{both.Name}' is both read and ignored.");
        }

        if (LabelColumn is not null && !_columns.Any(c => c.Name == LabelColumn))
        {
            errors.Add($"The label column '{LabelColumn}' is not a column of the schema.");
        }

        if (Separator is '"' or '\r' or '\n')
        {
            errors.Add($"The separator cannot be a quote or a line break.");
        }

        if (DateTimeFormats is { } formats && (formats.Count == 0 || formats.Any(string.IsNullOrWhiteSpace)))
        {
            errors.Add($"{nameof(DateTimeFormats)} must be null (ISO 8601) or list at least one format, none of them empty.");
        }

        if (Culture is null)
        {
            errors.Add($"{nameof(Culture)} must be set (CultureInfo.InvariantCulture by default).");
        }

        if (MaxRecordLength < 1024)
        {
            errors.Add($"{nameof(MaxRecordLength)} must be at least 1024 characters; it is {MaxRecordLength}.");
        }

        if (!(MalformedRowTolerance is >= 0 and <= 1))
        {
            errors.Add($"{nameof(MalformedRowTolerance)} must be a fraction from 0 to 1; it is {MalformedRowTolerance}.");
        }

        return errors;
    }

    /// <summary>A frozen copy for a file's reader, or the schema's every problem, thrown naming the file.</summary>
    internal CsvSchema ValidatedFor(string path)
    {
        var errors = Validate();
        return errors.Count > 0 ? throw new Microsoft.Extensions.Options.OptionsValidationException(path, typeof(CsvSchema), errors) : Clone();
    }

    internal CsvSchema Clone()
    {
        var copy = new CsvSchema
        {
            Separator = Separator,
            LabelColumn = LabelColumn,
            TimeColumn = TimeColumn,
            MaxRecordLength = MaxRecordLength,
            MalformedRowTolerance = MalformedRowTolerance,
            AllowInfinity = AllowInfinity,
            DateTimeFormats = DateTimeFormats?.ToArray(),
            Culture = Culture,
        };
        copy._columns.AddRange(_columns);
        copy._ignored.UnionWith(_ignored);
        return copy;
    }

    private CsvSchema Add(CsvColumn column)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column.Name);
        _columns.Add(column);
        return this;
    }
}
