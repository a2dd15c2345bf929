using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace ModelRetraining.Dashboard;

/// <summary>
/// Builds a page as text. Everything that did not come from this file goes through <see cref="Text(string?)"/> (HTML
/// encoding) or <see cref="Attribute"/>: model and column names, comments, reasons, exception messages and
/// metric names are all data a user or a model supplied, so none is ever written raw.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _out = new();

    public Html Raw(string markup)
    {
        _out.Append(markup);
        return this;
    }

    public Html Text(string? text)
    {
        _out.Append(HtmlEncoder.Default.Encode(text ?? string.Empty));
        return this;
    }

    public Html Text(double value) => Text(value.ToString("0.####", CultureInfo.InvariantCulture));

    public Html Tag(string tag, string? text, string? cssClass = null) => Raw(cssClass is null ? $"<{tag}>" : $"<{tag} class=\"{cssClass}\">").Text(text).Raw($"</{tag}>");

    public Html Link(string href, string? text) => Raw("<a href=\"").Attribute(href).Raw("\">").Text(text).Raw("</a>");

    public Html Attribute(string? value)
    {
        _out.Append(HtmlEncoder.Default.Encode(value ?? string.Empty));
        return this;
    }

    public Html Row(params string?[] cells)
    {
        Raw("<tr>");
        foreach (var cell in cells)
        {
            Tag("td", cell);
        }

        return Raw("</tr>");
    }

    public Html Head(params string[] cells)
    {
        Raw("<thead><tr>");
        foreach (var cell in cells)
        {
            Tag("th", cell);
        }

        return Raw("</tr></thead>");
    }

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Span(TimeSpan span) => span.TotalDays >= 2 ? $"{span.TotalDays:0} days" : span.TotalHours >= 2 ? $"{span.TotalHours:0} h" : span.TotalMinutes >= 2 ? $"{span.TotalMinutes:0} min" : $"{Math.Max(0, span.TotalSeconds):0} s";

    public override string ToString() => _out.ToString();
}
