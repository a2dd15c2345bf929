using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace ModelRetraining.Cli;

/// <summary>
/// Where results go: a table for people (Spectre.Console; no colour when the output is redirected or
/// <c>NO_COLOR</c> is set), or one JSON document for scripts (<c>--json</c>: camelCase, a stable shape per
/// command, documented in docs/cli.md). Errors go to standard error, as text, or as <c>{"error": …}</c> with <c>--json</c>.
/// </summary>
internal sealed class Output(TextWriter stdout, TextWriter stderr, bool json)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a NaN metric is kept as the registry keeps it
    };

    private readonly IAnsiConsole _console = Create(stdout);

    public bool Json => json;

    // Redirected output has no terminal width to fit: a wide one, so a grep finds names whole.
    private static IAnsiConsole Create(TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = Plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    }

    private static bool Plain => Console.IsOutputRedirected || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public void Result(object document, Action<IAnsiConsole> human)
    {
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(document, JsonOptions));
        }
        else
        {
            human(_console);
        }
    }

    public void Error(string message, int exitCode)
    {
        if (json)
        {
            stderr.WriteLine(JsonSerializer.Serialize(new { error = message, exitCode }, JsonOptions));
        }
        else
        {
            stderr.WriteLine($"mrt: {message}");
        }
    }

    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    /// <summary>A row of plain text: markup is not read (a comment holding <c>[red]</c> is shown as it is) and control characters are escaped.</summary>
    public static void Row(Table table, params string?[] cells) => table.AddRow([.. cells.Select(c => new Text(SafeText.Escape(c ?? string.Empty)))]);

    /// <summary>A line of plain text with control characters escaped: a comment cannot drive the operator's terminal.</summary>
    public static void Line(IAnsiConsole console, string text) => console.Write(new Text(SafeText.Escape(text) + Environment.NewLine));

    public static string When(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "—";
}
