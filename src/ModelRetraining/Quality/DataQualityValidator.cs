using System.Globalization;
using System.Text;

namespace ModelRetraining;

/// <summary>Judges data-quality rules in one pass over the rows, then the data-set rules; quarantines and writes the rows that quarantine rules catch.</summary>
internal sealed class DataQualityValidator(IReadOnlyList<QualityRule> rules, string? reportFolder) : IDataValidator
{
    public string Name => "quality";

    public async ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(context);
        var issues = new List<DataValidationIssue>();
        var missing = rules.Where(r => r.Column is not null && data.Data.Schema.GetColumnOrNull(r.Column) is null).ToArray();
        foreach (var rule in missing)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, $"quality.{rule.Name}", $"Rule '{rule.Name}' names column '{rule.Column}', which '{data.Name}' does not have.") { Column = rule.Column, Source = data.Name });
        }

        // A column the source itself could not find (a renamed header) is one error, already reported by the
        // source: its rules are not judged on the empty column it left, which only said "0% complete" again.
        var notInFile = rules.Where(r => r.Column is not null && data.ReadIssues.Any(i => i.Rule == IssueRules.MissingColumn && i.Column == r.Column)).ToArray();
        var active = rules.Except(missing).Except(notInFile).ToArray();
        var rowRules = active.Where(r => r.Row is not null).ToArray();
        var failures = rowRules.ToDictionary(r => r, _ => (Count: 0L, First: -1L));
        var quarantined = new SortedSet<long>();
        var quarantineLines = new List<string>();
        var scan = new QualityScan { Data = data, Context = context, Profile = () => ProfileCache.Get(context, data, cancellationToken) };
        var uniqueColumns = active.Where(r => r.Name == "uniqueness").Select(r => r.Column!).Distinct().ToArray();
        var seen = uniqueColumns.ToDictionary(c => c, _ => new HashSet<string>(StringComparer.Ordinal));

        if (rowRules.Length > 0 || uniqueColumns.Length > 0)
        {
            using var cursor = data.Data.GetRowCursor(data.Data.Schema.Where(c => !c.IsHidden));
            var row = new QualityRow(cursor);
            var columns = data.Data.Schema.Where(c => !c.IsHidden).Select(c => c.Name).ToArray();
            while (cursor.MoveNext())
            {
                row.Position = cursor.Position;
                if ((cursor.Position & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                foreach (var rule in rowRules)
                {
                    if (rule.Row!(row))
                    {
                        continue;
                    }

                    var (count, first) = failures[rule];
                    failures[rule] = (count + 1, first < 0 ? cursor.Position : first);
                    if (rule.Quarantine && quarantined.Add(cursor.Position))
                    {
                        quarantineLines.Add(string.Join(",", new[] { (cursor.Position + 1).ToString(CultureInfo.InvariantCulture), Csv(rule.Name) }.Concat(columns.Select(c => Csv(row.GetText(c))))));
                    }
                }

                foreach (var column in uniqueColumns)
                {
                    if (!row.IsMissing(column) && !seen[column].Add(row.GetText(column)))
                    {
                        scan.Duplicates[column] = scan.Duplicates.GetValueOrDefault(column) + 1;
                    }
                }
            }
        }

        scan.Rows = data.RowCount;
        foreach (var rule in rowRules)
        {
            var (count, first) = failures[rule];
            if (count == 0)
            {
                continue;
            }

            var share = data.RowCount == 0 ? 0 : (double)count / data.RowCount;
            var passShare = 1 - share;
            var where = rule.Column is null ? string.Empty : $" column '{rule.Column}' of";
            if (rule.Quarantine)
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Warning, $"quality.{rule.Name}", $"Rule '{rule.Name}': {count} rows of{where} '{data.Name}' fail \"{rule.Expectation}\" (first at data row {first + 1}); they were quarantined and left out.") { Column = rule.Column, Row = first + 1, Source = data.Name });
            }
            else if (passShare < rule.Mostly)
            {
                issues.Add(new DataValidationIssue(rule.Severity, $"quality.{rule.Name}", $"Rule '{rule.Name}':{where} '{data.Name}' {rule.Expectation} in {passShare.ToString("0.00%", CultureInfo.InvariantCulture)} of rows, below the required {rule.Mostly.ToString("0.00%", CultureInfo.InvariantCulture)}; {count} rows fail, first at data row {first + 1}.") { Column = rule.Column, Row = first + 1, Source = data.Name });
            }
        }

        foreach (var rule in active.Where(r => r.Aggregate is not null))
        {
            if (rule.Aggregate!(scan) is { } failure)
            {
                issues.Add(new DataValidationIssue(rule.Severity, $"quality.{rule.Name}", $"Rule '{rule.Name}' on '{data.Name}': {failure}; expected it {rule.Expectation}.") { Column = rule.Column, Source = data.Name });
            }
        }

        var files = new List<string>();
        if (quarantined.Count > 0 && reportFolder is not null)
        {
            var folder = ReportPaths.RunFolder(reportFolder, context.RunId);
            var file = Path.Combine(folder, $"quarantine-{ReportPaths.Stem(data)}.csv");
            var header = "row,rule," + string.Join(",", data.Data.Schema.Where(c => !c.IsHidden).Select(c => Csv(c.Name)));
            await File.WriteAllTextAsync(file, header + "\n" + string.Join("\n", quarantineLines) + "\n", Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            files.Add(file);
        }

        return new DataValidationReport(Name, data.Name, issues) { QuarantinedRows = [.. quarantined], ReportFiles = files };
    }

    private static string Csv(string value)
        => value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
