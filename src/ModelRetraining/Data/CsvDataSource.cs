using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>
/// Reads a CSV file (optionally gzip-compressed, by the <c>.gz</c> extension) with an explicit schema, in
/// one pass: quoted fields, missing numeric cells as NaN, type errors reported with row and column,
/// an optional time window, and a SHA-256 fingerprint of the rows kept.
/// </summary>
public sealed partial class CsvDataSource : IDataSource
{
    private const int MaxReportedRows = 5;
    private const int SizingSample = 16_384;
    private readonly string _path;
    private readonly CsvSchema _schema;
    private readonly DateTime? _from;
    private readonly DateTime? _to;
    private readonly long _linesBefore;
    private readonly long _rowsBefore;
    private readonly CsvFilePart? _part;

    private CsvDataSource(string path, CsvSchema schema, DateTime? from, DateTime? to, long linesBefore = 0, long rowsBefore = 0, CsvFilePart? part = null)
    {
        _part = part;
        _path = path;
        _schema = schema;
        _from = from;
        _to = to;
        _linesBefore = linesBefore;
        _rowsBefore = rowsBefore;
    }

    /// <summary>Gets the file path.</summary>
    public string Path => _path;

    /// <summary>Gets the schema the source reads with.</summary>
    public DataSchema Schema => _schema.ToDataSchema();

    /// <summary>
    /// Gets the name messages use: the file name and the time window, e.g.
    /// <c>flights.csv.gz [2001-03-01 .. 2001-06-01)</c>. The full path is the snapshot's
    /// <see cref="DatasetSnapshot.Location"/>, which the version's lineage records.
    /// </summary>
    public string Name => (_from is null && _to is null
        ? FileName
        : $"{FileName} [{Compact(_from)} .. {Compact(_to)})") + (_part is { } part ? $" (part {part.Number})" : string.Empty);

    private string FileName => System.IO.Path.GetFileName(_path);

    private string Location => _from is null && _to is null
        ? _path
        : $"{_path} [{Format(_from)} .. {Format(_to)})";

    /// <summary>Creates a source for a file. The file is opened when the pipeline loads it, so a missing file fails that run, not start-up.</summary>
    /// <param name="path">The file; <c>.gz</c> files are decompressed.</param>
    /// <param name="schema">The schema; copied, so later changes to it do not affect this source.</param>
    /// <returns>The source.</returns>
    /// <exception cref="OptionsValidationException">The schema is inconsistent; the message lists every problem.</exception>
    public static CsvDataSource FromFile(string path, CsvSchema schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(schema);
        return new CsvDataSource(path, schema.ValidatedFor(path), null, null);
    }

    /// <summary>Keeps only rows whose time column lies in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>).</summary>
    /// <param name="fromInclusive">The first instant kept, or <see langword="null"/> for no lower bound.</param>
    /// <param name="toExclusive">The first instant no longer kept, or <see langword="null"/> for no upper bound.</param>
    /// <returns>A new source; this one is unchanged.</returns>
    public CsvDataSource Between(DateTime? fromInclusive, DateTime? toExclusive)
    {
        if (_schema.TimeColumn is null)
        {
            throw new InvalidOperationException($"The schema of '{FileName}' has no time column: declare one with Time(\"column\") to select a time window.");
        }

        if (fromInclusive is { } f && toExclusive is { } t && f >= t)
        {
            throw new ArgumentException($"The time window of '{FileName}' is empty: {Format(f)} is not before {Format(t)}.", nameof(toExclusive));
        }

        return new CsvDataSource(_path, _schema, fromInclusive, toExclusive, _linesBefore, _rowsBefore, _part);
    }

    /// <inheritdoc />
    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!File.Exists(_path))
        {
            throw new FileNotFoundException($"Data file '{System.IO.Path.GetFullPath(_path)}' does not exist.", _path);
        }

        return await Task.Run(() => Read(context, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    // The file as text (.gz decompressed); the reader owns the file, which is handed out for its position.
    internal static StreamReader OpenText(string path, out FileStream file)
    {
        file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
    }

    // This source's bytes as text: the file, or for a part the header's bytes and then the part's.
    private StreamReader OpenText(out Stream bytes)
    {
        if (_part is not { } part)
        {
            var reader = OpenText(_path, out var file);
            bytes = file;
            return reader;
        }

        bytes = new CsvPartStream(_path, part);
        return new StreamReader(bytes, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
    }

    // Sep splits the records unless its quoting would read this file differently from the rule (or a
    // record is too long, or a quote never closes): then the file is read again, by the rule, with the
    // line reader, which also words the error. Only such files pay for a second read.
    private DatasetSnapshot Read(RetrainingContext context, CancellationToken cancellationToken)
    {
        if (!SepRecordReader.Accepts(_schema.Separator))
        {
            return ReadByTheRule(context, cancellationToken);
        }

        try
        {
            using var reader = OpenText(out var file);
            using var records = new SepRecordReader(reader, _schema.Separator, _schema.MaxRecordLength, cancellationToken);
            return Read(records, file, context, cancellationToken);
        }
        catch (CsvFastPathDeclinedException)
        {
            return ReadByTheRule(context, cancellationToken);
        }
    }

    // The line reader alone: the fallback, and what tests hold the fast path to.
    internal DatasetSnapshot ReadByTheRule(RetrainingContext context, CancellationToken cancellationToken)
    {
        using var reader = OpenText(out var file);
        return Read(new CsvRecordReader(reader, _schema.Separator, _path, _schema.MaxRecordLength, cancellationToken), file, context, cancellationToken);
    }

    private DatasetSnapshot Read(ICsvRecords records, Stream file, RetrainingContext context, CancellationToken cancellationToken)
    {
        var issues = new List<DataValidationIssue>();

        if (!records.Read())
        {
            throw new InvalidDataException($"Data file '{FileName}' is empty: it has no header row.");
        }

        var header = new string[records.FieldCount];
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = records.Field(i).ToString().Trim();
        }

        var headerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            if (!headerIndex.TryAdd(header[i], i))
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, "csv.duplicate-header", $"The header of '{FileName}' names '{header[i]}' twice (fields {headerIndex[header[i]] + 1} and {i + 1}); the first is read, but which one is meant cannot be known.")
                {
                    Column = header[i],
                    Row = 0,
                    Source = _path,
                });
            }
        }

        var columns = _schema.Columns;
        var position = new int[columns.Count];
        var observedKind = new DataColumnKind?[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var column = columns[c];
            if (column.IsDerived)
            {
                position[c] = -1;
                observedKind[c] = column.Kind;
            }
            else if (headerIndex.TryGetValue(column.Name, out var p))
            {
                position[c] = p;
                observedKind[c] = column.Kind;
            }
            else
            {
                position[c] = -2;
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, IssueRules.MissingColumn, $"Column '{column.Name}' ({column.Kind}) is missing from '{FileName}': its header has {HeaderList(header)}.")
                {
                    Column = column.Name,
                    Source = _path,
                });
            }
        }

        var ignored = header.Where(h => _schema.IgnoredColumns.Contains(h)).ToArray();
        var extra = header.Where(h => !columns.Any(c => !c.IsDerived && c.Name == h) && !_schema.IgnoredColumns.Contains(h)).ToArray();
        var buffers = columns.Select(c => ColumnBuffer.Create(c.Kind)).ToArray();
        var rowIndex = columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var values = new object?[columns.Count];
        var cells = new CsvCell[columns.Count];
        var row = new CsvRow(rowIndex, values);
        var errorsByColumn = new ColumnProblems[columns.Count];
        var timeIndex = _schema.TimeColumn is null ? -1 : rowIndex[_schema.TimeColumn];
        var labelIndex = _schema.LabelColumn is null ? -1 : rowIndex[_schema.LabelColumn];
        var hasDerived = columns.Any(c => c.IsDerived);
        records.SkipLineNumbers(_linesBefore);
        long dataRow = _rowsBefore;
        var badFieldCounts = default(FieldCountProblems);
        long missingTimeRows = 0;
        long sampleBytes = 0;
        var kept = 0;

        using var hash = new BlockHash();
        hash.AppendUtf8(_schema.ToDataSchema().ToString(), (byte)'\n');

        while (records.Read())
        {
            dataRow++;
            if (dataRow - _rowsBefore <= SizingSample)
            {
                sampleBytes += Encoding.UTF8.GetByteCount(records.RawRecord) + 1;
                if (dataRow - _rowsBefore == SizingSample && _from is null && _to is null)
                {
                    Presize(buffers, file.Length, sampleBytes);
                }
            }

            if ((dataRow & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (context.Progress is not null && (dataRow & 0xFFFF) == 0 && file.Length > 0)
                {
                    // The share of the file's bytes read (compressed bytes for .gz): what a progress bar needs, at no cost without a sink.
                    var read = dataRow - _rowsBefore;
                    context.Progress.Report(new RetrainingProgress(RetrainingStage.Ingesting, Math.Min(1.0, (double)file.Position / file.Length), string.Create(CultureInfo.InvariantCulture, $"{FileName}: {read:N0} rows read")) { Rows = read, Source = FileName });
                }
            }

            if (records.FieldCount == 1 && records.Field(0).IsEmpty)
            {
                dataRow--;
                continue; // blank line
            }

            if (records.FieldCount != header.Length)
            {
                badFieldCounts.Rows++;
                badFieldCounts.FirstRow = badFieldCounts.FirstRow == 0 ? dataRow : badFieldCounts.FirstRow;
                badFieldCounts.FirstLine = badFieldCounts.FirstLine == 0 ? records.LineNumber : badFieldCounts.FirstLine;
                badFieldCounts.LastLine = records.EndLineNumber;
                continue;
            }

            // Parse the read columns of the row.
            for (var c = 0; c < columns.Count; c++)
            {
                if (position[c] < 0)
                {
                    cells[c] = CsvCell.Missing;
                    continue;
                }

                var field = records.Field(position[c]);
                if (!TryParse(columns[c].Kind, field, _schema, out cells[c], out var outOfRange))
                {
                    ref var problem = ref errorsByColumn[c];
                    if (outOfRange)
                    {
                        problem.OutOfRange++;
                        if (problem.FirstOutOfRangeRow == 0)
                        {
                            problem.FirstOutOfRangeRow = dataRow;
                            problem.FirstOutOfRangeLine = records.LineNumber;
                            problem.FirstOutOfRangeValue = field.ToString();
                        }

                        continue;
                    }

                    problem.Count++;
                    if (problem.FirstRow == 0)
                    {
                        problem.FirstRow = dataRow;
                        problem.FirstLine = records.LineNumber;
                        problem.FirstValue = field.ToString();
                    }

                    observedKind[c] = DataColumnKind.Text;
                }
            }

            if (timeIndex >= 0 && (_from is not null || _to is not null))
            {
                if (!cells[timeIndex].HasTime)
                {
                    missingTimeRows++;
                    continue;
                }

                var at = cells[timeIndex].Time;
                if ((_from is { } f && at < f) || (_to is { } t && at >= t))
                {
                    continue;
                }
            }

            if (hasDerived)
            {
                row.RowNumber = dataRow;

                // A derivation that reads a column derived after it sees it missing, not the previous row's value.
                for (var c = 0; c < columns.Count; c++)
                {
                    values[c] = columns[c].IsDerived ? null : cells[c].Box(columns[c].Kind);
                }

                for (var c = 0; c < columns.Count; c++)
                {
                    if (columns[c].Compute is { } compute)
                    {
                        values[c] = compute(row);
                    }
                }
            }

            for (var c = 0; c < columns.Count; c++)
            {
                var present = hasDerived && columns[c].IsDerived ? buffers[c].Add(values[c]) : buffers[c].Add(in cells[c]);
                if (!present && c == labelIndex)
                {
                    ref var problem = ref errorsByColumn[c];
                    problem.MissingLabels++;
                    problem.FirstMissingLabelRow = problem.FirstMissingLabelRow == 0 ? dataRow : problem.FirstMissingLabelRow;
                }
            }

            hash.AppendUtf8(records.RawRecord, (byte)'\n');
            kept++;
        }

        ReportProblems(issues, errorsByColumn, badFieldCounts, dataRow - _rowsBefore, header.Length, missingTimeRows);

        var observed = new List<DataColumn>();
        for (var c = 0; c < columns.Count; c++)
        {
            if (observedKind[c] is { } kind)
            {
                observed.Add(new DataColumn(columns[c].Name, kind, columns[c].IsDerived));
            }
        }

        observed.AddRange(extra.Select(e => new DataColumn(e, DataColumnKind.Text)));
        var view = new ColumnarDataView(columns.Select((c, i) => (c.Name, c.Kind, buffers[i].Values())).ToArray(), kept);
        return new DatasetSnapshot(Name, view, new DataSchema(observed, _schema.LabelColumn, _schema.TimeColumn), kept, hash.Finish())
        {
            ReadIssues = issues,
            DeclaredSchema = _schema.ToDataSchema(),
            IgnoredColumns = ignored,
            Location = Location,
        };
    }
}
