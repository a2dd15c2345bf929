using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining;

namespace Extending;

// <snippet:extending-data-validator>
/// <summary>Refuses data whose time column lies in the future (a clock or time-zone bug upstream): such rows would leak into training.</summary>
public sealed class NoFutureTimestampsValidator(string timeColumn, TimeSpan tolerance) : IDataValidator
{
    public string Name => "no-future-timestamps";

    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    public ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        var latest = context.TimeProvider.GetUtcNow().UtcDateTime + tolerance; // the run's clock, never DateTime.Now
        var issues = new List<DataValidationIssue>();
        if (data.Data.Schema.GetColumnOrNull(timeColumn) is null)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, "time.missing-column", $"'{data.Name}' has no time column '{timeColumn}'.") { Column = timeColumn, Source = data.Name });
            return ValueTask.FromResult(new DataValidationReport(Name, data.Name, issues));
        }

        long row = 0, future = 0, first = 0;
        foreach (var at in data.Data.GetColumn<DateTime>(timeColumn))
        {
            row++;
            if (at > latest)
            {
                future++;
                first = first == 0 ? row : first;
            }
        }

        if (future > 0)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, "time.future", $"{future} rows of '{data.Name}' have '{timeColumn}' after {latest:u}, first at data row {first}.") { Column = timeColumn, Row = first, Source = data.Name });
        }

        return ValueTask.FromResult(new DataValidationReport(Name, data.Name, issues));
    }
}
// </snippet:extending-data-validator>
