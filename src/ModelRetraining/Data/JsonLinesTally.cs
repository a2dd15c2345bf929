namespace ModelRetraining;

/// <summary>What a JSON Lines read could not take, counted and located by its first occurrence, turned into the issues CSV reports for the same faults.</summary>
internal sealed class JsonLinesTally(IReadOnlyList<CsvColumn> columns, string fileName, string path)
{
    private readonly (long Count, long FirstLine, string? FirstValue, long OutOfRange, long FirstOutOfRangeLine, string? OutOfRangeValue, long MissingLabels, long FirstMissingLabelRow, long Present)[] _columns = new (long, long, string?, long, long, string?, long, long, long)[columns.Count];
    private long _malformed;
    private long _firstMalformedLine;
    private string _firstMalformedReason = string.Empty;

    public long Rows { get; set; }

    public void Malformed(long line, string reason)
    {
        _malformed++;
        if (_firstMalformedLine == 0)
        {
            _firstMalformedLine = line;
            _firstMalformedReason = reason;
        }
    }

    public void Present(int column) => _columns[column].Present++;

    public void WrongType(int column, long line, string raw, bool outOfRange)
    {
        ref var c = ref _columns[column];
        if (outOfRange)
        {
            c.OutOfRange++;
            if (c.FirstOutOfRangeLine == 0)
            {
                c.FirstOutOfRangeLine = line;
                c.OutOfRangeValue = raw;
            }

            return;
        }

        c.Count++;
        if (c.FirstLine == 0)
        {
            c.FirstLine = line;
            c.FirstValue = raw;
        }
    }

    public void MissingLabel(int column, long row)
    {
        ref var c = ref _columns[column];
        c.MissingLabels++;
        c.FirstMissingLabelRow = c.FirstMissingLabelRow == 0 ? row : c.FirstMissingLabelRow;
    }

    public List<DataValidationIssue> Issues(CsvSchema schema)
    {
        var issues = new List<DataValidationIssue>();
        if (_malformed > 0)
        {
            var share = (double)_malformed / Math.Max(1, _malformed + Rows);
            var severity = share > schema.MalformedRowTolerance ? ValidationSeverity.Error : ValidationSeverity.Warning;
            issues.Add(new DataValidationIssue(severity, "jsonl.malformed", $"'{fileName}' has {_malformed} lines that are not one JSON object, the first on line {_firstMalformedLine}: {SafeText.Escape(_firstMalformedReason)}; they were not read{(severity == ValidationSeverity.Error ? $", which is more than the {schema.MalformedRowTolerance * 100:0.##}% allowed ({nameof(CsvSchema)}.{nameof(CsvSchema.MalformedRowTolerance)})" : string.Empty)}.") { Row = _firstMalformedLine, Source = path });
        }

        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            var c = _columns[i];
            if (!column.IsDerived && c.Present == 0 && Rows > 0)
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, IssueRules.MissingColumn, $"Column '{column.Name}' ({column.Kind}) is missing from '{fileName}': no line has a property of that name.") { Column = column.Name, Source = path });
            }

            if (c.Count > 0)
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, "jsonl.type", $"Column '{column.Name}' of '{fileName}' is {column.Kind}, but line {c.FirstLine} holds {Shorten(c.FirstValue)}{(c.Count > 1 ? $"; {c.Count} values in all cannot be read as {column.Kind}" : string.Empty)}.") { Column = column.Name, Row = c.FirstLine, Source = path });
            }

            if (c.OutOfRange > 0)
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, "jsonl.out-of-range", $"Column '{column.Name}' of '{fileName}' holds {Shorten(c.OutOfRangeValue)} on line {c.FirstOutOfRangeLine}, beyond the range of a 32-bit float{(c.OutOfRange > 1 ? $"; {c.OutOfRange} values in all" : string.Empty)}. Set {nameof(CsvSchema)}.{nameof(CsvSchema.AllowInfinity)} if infinities are meant.") { Column = column.Name, Row = c.FirstOutOfRangeLine, Source = path });
            }

            if (c.MissingLabels > 0)
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, "label.missing-values", $"Label column '{column.Name}' of '{fileName}' is missing (absent, null or not computable) in {c.MissingLabels} rows, first at row {c.FirstMissingLabelRow}.") { Column = column.Name, Row = c.FirstMissingLabelRow, Source = path });
            }
        }

        return issues;
    }

    // The sender's text, cut short and with control and format characters escaped before it is shown anywhere.
    private static string Shorten(string? value) => SafeText.Escape(value is null ? string.Empty : value.Length <= 40 ? value : value[..40] + "…");
}
