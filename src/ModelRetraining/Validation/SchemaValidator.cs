using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>Checks columns, types, row count and the label before any training starts.</summary>
internal sealed class SchemaValidator(SchemaValidationOptions options) : IDataValidator
{
    private readonly DataSchema _expected = options.Expected!;

    public string Name => "schema";

    public ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var issues = new List<DataValidationIssue>(data.ReadIssues);
        var reported = new HashSet<string>(data.ReadIssues.Where(i => i.Column is not null).Select(i => i.Column!), StringComparer.Ordinal);
        var source = data.Name;

        foreach (var column in _expected.Columns)
        {
            var found = data.Schema.Find(column.Name);
            if (found is null)
            {
                if (!reported.Contains(column.Name))
                {
                    issues.Add(new DataValidationIssue(ValidationSeverity.Error, IssueRules.MissingColumn, $"Column '{column.Name}' ({column.Kind}) is missing from '{source}'.") { Column = column.Name, Source = source });
                }
            }
            else if (found.Kind != column.Kind && !reported.Contains(column.Name))
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, "schema.type", $"Column '{column.Name}' of '{source}' is {found.Kind}; the schema expects {column.Kind}.") { Column = column.Name, Source = source });
            }
        }

        foreach (var column in data.Schema.Columns)
        {
            if (_expected.Find(column.Name) is null)
            {
                issues.Add(new DataValidationIssue(options.ExtraColumnSeverity, "schema.extra-column", $"Column '{column.Name}' of '{source}' is not in the schema.") { Column = column.Name, Source = source });
            }
        }

        if (data.RowCount < options.MinRows)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, IssueRules.MinRows, data.RowCount == 0
                ? $"'{source}' has no rows: there is nothing to train or evaluate on."
                : $"'{source}' has {data.RowCount} rows; at least {options.MinRows} are required.") { Source = source });
        }

        if (options.RequireLabel && _expected.LabelColumn is { } label && data.RowCount > 0 && !reported.Contains(label))
        {
            CheckLabel(data, label, issues, cancellationToken);
        }

        return ValueTask.FromResult(new DataValidationReport(Name, source, issues));
    }

    private void CheckLabel(DatasetSnapshot data, string label, List<DataValidationIssue> issues, CancellationToken cancellationToken)
    {
        var column = data.Data.Schema.GetColumnOrNull(label);
        if (column is null)
        {
            if (!issues.Any(i => i.Column == label))
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Error, "label.missing", $"Label column '{label}' is missing from '{data.Name}'.") { Column = label, Source = data.Name });
            }

            return;
        }

        var type = column.Value.Type;
        using var cursor = data.Data.GetRowCursor([column.Value]);
        long row = 0;
        long missing = 0;
        long firstMissing = 0;
        var classes = new HashSet<string>(StringComparer.Ordinal);
        if (type == NumberDataViewType.Single)
        {
            var getter = cursor.GetGetter<float>(column.Value);
            float value = 0;
            while (cursor.MoveNext())
            {
                row++;
                getter(ref value);
                if (float.IsNaN(value))
                {
                    missing++;
                    firstMissing = firstMissing == 0 ? row : firstMissing;
                }

                if ((row & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
        else if (type == BooleanDataViewType.Instance)
        {
            var getter = cursor.GetGetter<bool>(column.Value);
            bool value = false;
            while (cursor.MoveNext() && classes.Count < 2)
            {
                getter(ref value);
                classes.Add(value ? "true" : "false");
            }

            CheckClasses(data, label, classes, "true/false", issues);
        }
        else if (type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column.Value);
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                row++;
                getter(ref value);
                if (value.IsEmpty)
                {
                    missing++;
                    firstMissing = firstMissing == 0 ? row : firstMissing;
                }
                else if (classes.Count < options.MinLabelClasses)
                {
                    classes.Add(value.ToString());
                }
            }

            CheckClasses(data, label, classes, "classes", issues);
        }

        if (missing > 0)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, "label.missing-values", $"Label column '{label}' of '{data.Name}' is missing (NaN or empty) in {missing} rows, first at data row {firstMissing}.")
            {
                Column = label,
                Row = firstMissing,
                Source = data.Name,
            });
        }
    }

    private void CheckClasses(DatasetSnapshot data, string label, HashSet<string> classes, string what, List<DataValidationIssue> issues)
    {
        if (classes.Count < options.MinLabelClasses)
        {
            var seen = classes.Count == 0 ? "no value" : string.Join(", ", classes);
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, "label.classes", $"Label column '{label}' of '{data.Name}' has {classes.Count} distinct {what} ({seen}); a classifier needs at least {options.MinLabelClasses}.")
            {
                Column = label,
                Source = data.Name,
            });
        }
    }
}
