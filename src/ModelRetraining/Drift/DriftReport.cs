using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelRetraining;

/// <summary>What a drift comparison found: a verdict per column, the data-set verdict, and any problem with the inputs.</summary>
/// <param name="Columns">One result per compared column.</param>
/// <param name="Problems">Problems with the inputs (an empty side, a missing column, a changed type), in words.</param>
/// <param name="DriftShareThreshold">The share of drifted columns at which the data set counts as drifted.</param>
public sealed record DriftReport(IReadOnlyList<ColumnDriftResult> Columns, IReadOnlyList<string> Problems, double DriftShareThreshold)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Gets the reference's name, for reports.</summary>
    public string Reference { get; init; } = "reference";

    /// <summary>Gets the current data's name, for reports.</summary>
    public string Current { get; init; } = "current";

    /// <summary>Gets the number of drifted columns.</summary>
    public int DriftedColumns => Columns.Count(c => c.Drifted);

    /// <summary>Gets the share of compared columns that drifted.</summary>
    public double DriftedShare => Columns.Count == 0 ? 0 : (double)DriftedColumns / Columns.Count;

    /// <summary>Gets a value indicating whether the data set drifted: the drifted share reached <see cref="DriftShareThreshold"/>.</summary>
    public bool DatasetDrift => Columns.Count > 0 && DriftedShare >= DriftShareThreshold;

    /// <summary>Serializes the report as indented JSON with stable camelCase field names.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A summary a person reads: whether the data set drifted, then the drifted columns first, each with its test, statistic, threshold and p-value where the test has one.</summary>
    /// <returns>The summary, a line per column.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Current} against {Reference}: {DriftedColumns} of {Columns.Count} columns drifted ({DriftedShare * 100:0.#}%); {(DatasetDrift ? "the data set drifted" : "the data set did not drift")} (threshold {DriftShareThreshold * 100:0.#}%)");
        foreach (var column in Columns.OrderByDescending(c => c.Drifted).ThenBy(c => c.Column, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {(column.Drifted ? "DRIFT" : "ok   ")}  {column.Column}: {column.Method} {column.Statistic:0.####} (threshold {column.Threshold:0.####}){(column.PValue is { } p ? $", p = {PValue(p)}" : string.Empty)}");
        }

        foreach (var problem in Problems)
        {
            text.Append("\n  problem: ").Append(problem);
        }

        return text.ToString();
    }

    // Data set names are paths with windows ("/data/x/flights.csv [2001-06-01 .. 2001-07-01)"): a title shows the file and the window only.
    private static string ShortName(string name)
    {
        var window = name.IndexOf(" [", StringComparison.Ordinal);
        var path = window < 0 ? name : name[..window];
        return (path.Contains('/', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal) ? Path.GetFileName(path) : path) + (window < 0 ? string.Empty : name[window..]);
    }

    // "p = 0E+0" read as nothing: below the smallest double the test can tell, say so.
    private static string PValue(double p) => Formatting.PValue(p);

    /// <summary>Renders a self-contained HTML page (inline CSS and SVG, no external assets): a table of columns and, per column, reference and current distributions side by side.</summary>
    /// <returns>The HTML text.</returns>
    public string ToHtml()
    {
        static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);
        static string N(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "–";
        var html = new StringBuilder();
        var ordered = Columns.OrderByDescending(c => c.Drifted).ThenBy(c => c.Column, StringComparer.Ordinal).ToArray(); // drifted first
        html.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift: {E(ShortName(Current))} against {E(ShortName(Reference))}</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}table{border-collapse:collapse;margin:12px 0}")
            .Append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}.drift{color:#b00020;font-weight:600}.ok{color:#1b5e20}tr.drifted{background:#fdecee}")
            .Append(".col{margin:18px 0;padding:8px;border:1px solid #eee}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}")
            .Append("</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Drift: {E(ShortName(Current))} against {E(ShortName(Reference))}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"{(DatasetDrift ? "drift" : "ok")}\">Data set {(DatasetDrift ? "DRIFTED" : "did not drift")}: {DriftedColumns} of {Columns.Count} columns drifted ({DriftedShare * 100:0.#}%; threshold {DriftShareThreshold * 100:0.#}%).</p>");
        foreach (var problem in Problems)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"drift\">{E(problem)}</p>");
        }

        html.Append("<table><tr><th>column</th><th>type</th><th>test</th><th>score</th><th>threshold</th><th>p-value</th><th>effect size</th><th>drifted</th></tr>");
        foreach (var c in ordered)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr{(c.Drifted ? " class=\"drifted\"" : string.Empty)}><td><a href=\"#c-{E(c.Column)}\">{E(c.Column)}</a></td><td>{c.Kind}</td><td>{c.Method}</td><td>{N(c.Statistic)}</td><td>{N(c.Threshold)}</td><td>{(c.PValue is { } p ? E(PValue(p)) : "–")}</td><td>{N(c.EffectSize)}</td><td class=\"{(c.Drifted ? "drift" : "ok")}\">{(c.Drifted ? "yes" : "no")}</td></tr>");
        }

        html.Append("</table><div class=\"legend\"><span style=\"background:#9e9e9e\"></span>reference<span style=\"background:#d32f2f\"></span>current</div>");
        foreach (var c in ordered)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"col\" id=\"c-{E(c.Column)}\"><b>{E(c.Column)}</b> — {E(c.Reason)}");
            if (c.Bins.Count > 0)
            {
                Chart(html, c.Bins);
            }

            html.Append("</div>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static void Chart(StringBuilder html, IReadOnlyList<DriftBin> bins)
    {
        const int barWidth = 14, gap = 10, height = 120, labelHeight = 60;
        var max = Math.Max(bins.Max(b => Math.Max(b.ReferenceShare, b.CurrentShare)), 1e-9);
        const int axis = 44; // room for the y-axis labels; the last label, rotated, needs room on the right too
        var width = axis + (bins.Count * ((2 * barWidth) + gap)) + gap + 80;
        html.Append(CultureInfo.InvariantCulture, $"<div><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height + labelHeight + 40}\" role=\"img\">");
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{axis - 4}\" y1=\"0\" x2=\"{axis - 4}\" y2=\"{height}\" stroke=\"#888\"/><line x1=\"{axis - 4}\" y1=\"{height}\" x2=\"{width - 80}\" y2=\"{height}\" stroke=\"#888\"/>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{axis - 8}\" y=\"10\" font-size=\"9\" text-anchor=\"end\">{max * 100:0.#}%</text><text x=\"{axis - 8}\" y=\"{(height / 2) + 3}\" font-size=\"9\" text-anchor=\"end\">{max * 50:0.#}%</text><text x=\"{axis - 8}\" y=\"{height}\" font-size=\"9\" text-anchor=\"end\">0%</text>");
        for (var i = 0; i < bins.Count; i++)
        {
            var x = axis + gap + (i * ((2 * barWidth) + gap));
            var r = bins[i].ReferenceShare / max * height;
            var c = bins[i].CurrentShare / max * height;
            html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{height - r:0.#}\" width=\"{barWidth}\" height=\"{r:0.#}\" fill=\"#9e9e9e\"><title>reference {bins[i].ReferenceShare:P1}</title></rect>");
            html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x + barWidth}\" y=\"{height - c:0.#}\" width=\"{barWidth}\" height=\"{c:0.#}\" fill=\"#d32f2f\"><title>current {bins[i].CurrentShare:P1}</title></rect>");
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + barWidth}\" y=\"{height + 12}\" font-size=\"9\" transform=\"rotate(40 {x + barWidth} {height + 12})\">{WebUtility.HtmlEncode(bins[i].Label)}</text>");
        }

        html.Append("</svg></div>");
    }
}
