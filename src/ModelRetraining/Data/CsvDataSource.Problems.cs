using System.Globalization;

namespace ModelRetraining;

// The read's tallies of fields and rows it could not read, worded as issues naming column, row and line.
public sealed partial class CsvDataSource
{
    private void ReportProblems(List<DataValidationIssue> issues, ColumnProblems[] errorsByColumn, FieldCountProblems counts, long rowsRead, int headerLength, long missingTimeRows)
    {
        for (var c = 0; c < _schema.Columns.Count; c++)
        {
            var problem = errorsByColumn[c];
            if (problem.Count > 0)
            {
                issues.Add(ColumnError(c, "csv.type", problem.FirstRow, $"Column '{_schema.Columns[c].Name}' of '{FileName}' is {_schema.Columns[c].Kind}, but data row {problem.FirstRow} (line {problem.FirstLine}) holds '{Shorten(problem.FirstValue)}'{(problem.Count > 1 ? $"; {problem.Count} values in all cannot be read as {_schema.Columns[c].Kind}" : string.Empty)}."));
            }

            if (problem.OutOfRange > 0)
            {
                issues.Add(ColumnError(c, "csv.out-of-range", problem.FirstOutOfRangeRow, $"Column '{_schema.Columns[c].Name}' of '{FileName}' holds '{Shorten(problem.FirstOutOfRangeValue)}' at data row {problem.FirstOutOfRangeRow} (line {problem.FirstOutOfRangeLine}), beyond the range of a 32-bit float (it would read as infinity){(problem.OutOfRange > 1 ? $"; {problem.OutOfRange} values in all" : string.Empty)}. Set {nameof(CsvSchema)}.{nameof(CsvSchema.AllowInfinity)} if infinities are meant."));
            }

            if (problem.MissingLabels > 0)
            {
                issues.Add(MissingLabels(_schema.Columns[c].Name, FileName, problem.MissingLabels, problem.FirstMissingLabelRow, _path));
            }
        }

        if (counts.Rows > 0)
        {
            var share = (double)counts.Rows / Math.Max(1, rowsRead);
            var severity = share > _schema.MalformedRowTolerance ? ValidationSeverity.Error : ValidationSeverity.Warning;
            issues.Add(new DataValidationIssue(severity, "csv.field-count", $"'{FileName}' has {counts.Rows} of {rowsRead} data rows ({share * 100:0.##}%) whose field count differs from the header's {headerLength}, on lines {counts.FirstLine}–{counts.LastLine} (first at data row {counts.FirstRow}); they were not read{(severity == ValidationSeverity.Error ? $", which is more than the {_schema.MalformedRowTolerance * 100:0.##}% allowed ({nameof(CsvSchema)}.{nameof(CsvSchema.MalformedRowTolerance)})" : string.Empty)}.")
            {
                Row = counts.FirstRow,
                Source = _path,
            });
        }

        if (missingTimeRows > 0)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Warning, "csv.missing-time", $"{missingTimeRows} rows of '{FileName}' have no time in '{_schema.TimeColumn}' and fall outside every time window.")
            {
                Column = _schema.TimeColumn,
                Source = _path,
            });
        }
    }

    // The issue of every source that finds rows without a label (CSV, and rows conformed to a schema).
    internal static DataValidationIssue MissingLabels(string label, string name, long rows, long firstRow, string? source)
        => new(ValidationSeverity.Error, "label.missing-values", $"Label column '{label}' of '{name}' is missing (empty, NaN or not computable) in {rows} rows, first at data row {firstRow}.")
        {
            Column = label,
            Row = firstRow,
            Source = source,
        };

    private DataValidationIssue ColumnError(int column, string rule, long row, string message)
        => new(ValidationSeverity.Error, rule, message) { Column = _schema.Columns[column].Name, Row = row, Source = _path };

    private struct FieldCountProblems
    {
        public long Rows;
        public long FirstRow;
        public long FirstLine;
        public long LastLine;
    }
}
