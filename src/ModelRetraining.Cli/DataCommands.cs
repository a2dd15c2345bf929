using System.Globalization;
using System.Text;
using Spectre.Console;

namespace ModelRetraining.Cli;

/// <summary>Commands on data files, with no registry: drift (two files, the library's detector, JSON and HTML reports) and profile (one file, its profile JSON).</summary>
internal static class DataCommands
{
    public const string DriftJson = "drift-report.json";
    public const string DriftHtml = "drift-report.html";

    public static async Task<int> DriftAsync(DataFiles files, string referencePath, string currentPath, string outFolder, IReadOnlyList<string> columns, bool failOnDrift, Output output, CancellationToken cancellationToken)
    {
        var folder = OutputFolder(outFolder);
        var (reference, current) = await CliProgress.RunAsync(output, [Path.GetFileName(referencePath), Path.GetFileName(currentPath)], async sinks =>
        {
            var r = await files.ReadAsync(referencePath, sinks[0], cancellationToken).ConfigureAwait(false);
            ThrowIfUnknown(columns, r, referencePath); // before the second file is read for nothing
            var c = await files.ReadAsync(currentPath, sinks[1], cancellationToken).ConfigureAwait(false);
            return (r, c);
        }).ConfigureAwait(false);

        // The time column orders rows; two windows differ in it by construction, so it is compared only when named.
        var compared = columns.Count > 0 ? columns : reference.Schema.Columns.Select(c => c.Name).Where(n => n != reference.Schema.TimeColumn).ToArray();
        var report = new DriftDetector().Compare(reference.Data, current.Data, compared, cancellationToken) with
        {
            Reference = Path.GetFileName(referencePath),
            Current = Path.GetFileName(currentPath),
        };
        Directory.CreateDirectory(folder); // only now: a refused file leaves no folder behind
        var jsonPath = Path.Combine(folder, DriftJson);
        var htmlPath = Path.Combine(folder, DriftHtml);
        WriteAtomically(jsonPath, report.ToJson());
        WriteAtomically(htmlPath, report.ToHtml());

        var document = new
        {
            reference = Describe(reference, referencePath),
            current = Describe(current, currentPath),
            datasetDrift = report.DatasetDrift,
            driftedColumns = report.DriftedColumns,
            driftedShare = report.DriftedShare,
            driftShareThreshold = report.DriftShareThreshold,
            columns = report.Columns.Select(c => new { column = c.Column, kind = c.Kind.ToString(), method = c.Method.ToString(), statistic = c.Statistic, threshold = c.Threshold, pValue = c.PValue, effectSize = c.EffectSize, drifted = c.Drifted, reason = c.Reason }).ToArray(),
            problems = report.Problems,
            reports = new { json = jsonPath, html = htmlPath },
        };
        output.Result(document, console =>
        {
            var table = Output.Table("Column", "Kind", "Method", "Statistic", "Threshold", "p-value", "Drifted", "Reason");
            foreach (var c in report.Columns)
            {
                Output.Row(table, c.Column, c.Kind.ToString(), c.Method.ToString(), Number(c.Statistic), Number(c.Threshold), c.PValue is { } p ? Number(p) : "—", c.Drifted ? "yes" : "no", c.Reason);
            }

            console.Write(table);
            Output.Line(console, $"{report.DriftedColumns} of {report.Columns.Count} columns drifted ({report.DriftedShare:P0}); dataset drift: {(report.DatasetDrift ? "yes" : "no")} (at {report.DriftShareThreshold:P0} of columns).");
            foreach (var problem in report.Problems)
            {
                Output.Line(console, $"Problem: {problem}");
            }

            Output.Line(console, $"Reports: {jsonPath}, {htmlPath}");
        });

        if (failOnDrift && report.DatasetDrift)
        {
            throw new CliException(ExitCodes.Failed, $"Dataset drift: {report.DriftedColumns} of {report.Columns.Count} columns of '{report.Current}' drifted from '{report.Reference}' (--fail-on-drift).");
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> ProfileAsync(DataFiles files, string path, string? outPath, Output output, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(outPath ?? $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}.profile.json");
        if (Directory.Exists(target))
        {
            throw new CliException(ExitCodes.Usage, $"--out '{outPath}' is a folder; name the profile's file.");
        }

        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
        {
            throw new CliException(ExitCodes.NotFound, $"The folder of --out '{outPath}' does not exist.");
        }

        var snapshot = await CliProgress.RunAsync(output, [Path.GetFileName(path)], sinks => files.ReadAsync(path, sinks[0], cancellationToken)).ConfigureAwait(false);
        var profile = DataProfile.Create(snapshot.Data, cancellationToken);
        WriteAtomically(target, profile.ToJson());

        var document = new
        {
            file = Describe(snapshot, path),
            profile = target,
            columns = profile.Columns.Select(c => new
            {
                name = c.Name,
                kind = c.Kind.ToString(),
                count = c.Count,
                missing = c.Missing,
                missingShare = c.MissingShare,
                mean = Finite(c.Mean),
                standardDeviation = Finite(c.StandardDeviation),
                min = Finite(c.Min),
                median = Finite(c.Quantile(0.5)),
                max = Finite(c.Max),
                distinct = c.DistinctCount,
                top = c.TopValues.Take(5).Select(kv => new { value = kv.Key, count = kv.Value }).ToArray(),
            }).ToArray(),
        };
        output.Result(document, console =>
        {
            var table = Output.Table("Column", "Kind", "Count", "Missing", "Mean", "Std", "Min", "Median", "Max", "Distinct", "Top values");
            foreach (var c in profile.Columns)
            {
                var numeric = c.Kind == DataColumnKind.Numeric;
                Output.Row(table, c.Name, c.Kind.ToString(), c.Count.ToString("N0", CultureInfo.InvariantCulture), c.MissingShare.ToString("P1", CultureInfo.InvariantCulture), numeric ? Number(c.Mean) : "—", numeric ? Number(c.StandardDeviation) : "—", numeric ? Number(c.Min) : "—", numeric ? Number(c.Quantile(0.5)) : "—", numeric ? Number(c.Max) : "—", c.DistinctCount.ToString("N0", CultureInfo.InvariantCulture), string.Join(", ", c.TopValues.Take(3).Select(kv => $"{kv.Key} ({kv.Value:N0})")));
            }

            console.Write(table);
            Output.Line(console, $"{snapshot.RowCount:N0} rows; profile written to {target}");
        });
        return ExitCodes.Ok;
    }

    private static void ThrowIfUnknown(IReadOnlyList<string> columns, DatasetSnapshot reference, string path)
    {
        var unknown = columns.Where(c => reference.Schema.Columns.All(k => k.Name != c)).ToArray();
        if (unknown.Length > 0)
        {
            throw new CliException(ExitCodes.Usage, $"--columns names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, not a column of '{Path.GetFileName(path)}' (its columns: {string.Join(", ", reference.Schema.Columns.Select(k => k.Name))}).");
        }
    }

    private static object Describe(DatasetSnapshot snapshot, string path) => new { path = Path.GetFullPath(path), rows = snapshot.RowCount, fingerprint = snapshot.Fingerprint };

    // The reports go to a folder the operator named (made when missing, once both files were read); a file of that name is a usage error.
    private static string OutputFolder(string outFolder)
    {
        var folder = Path.GetFullPath(outFolder);
        if (File.Exists(folder))
        {
            throw new CliException(ExitCodes.Usage, $"--out '{outFolder}' is a file; name a folder for the reports.");
        }

        return folder;
    }

    // Written whole or not at all: a failed or cancelled command leaves the previous report as it was.
    private static void WriteAtomically(string path, string content)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("0.####", CultureInfo.InvariantCulture) : "—";
}
