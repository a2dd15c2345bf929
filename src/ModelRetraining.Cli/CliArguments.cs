namespace ModelRetraining.Cli;

/// <summary>
/// The command line: positional words (the command and its operands), <c>--name value</c> options and
/// <c>--flag</c> switches. Every option a command reads is declared by reading it; one nobody read is a
/// usage error, so a typo never passes silently.
/// </summary>
internal sealed class CliArguments
{
    private static readonly HashSet<string> Switches = new(StringComparer.Ordinal) { "json", "help", "fail-on-drift", "delete" };
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public CliArguments(IReadOnlyList<string> args)
    {
        var words = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var name = arg[2..];
                var equals = name.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && Switches.Contains(name[..equals]))
                {
                    throw new CliException(ExitCodes.Usage, $"--{name[..equals]} takes no value.");
                }
                else if (equals > 0)
                {
                    _options[name[..equals]] = name[(equals + 1)..];
                }
                else if (Switches.Contains(name))
                {
                    _options[name] = null;
                }
                else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    _options[name] = args[++i];
                }
                else
                {
                    throw new CliException(ExitCodes.Usage, $"--{name} needs a value.");
                }
            }
            else
            {
                words.Add(arg);
            }
        }

        Words = words;
        Json = Flag("json");
    }

    public IReadOnlyList<string> Words { get; }

    public bool Json { get; }

    public string Word(int index, string what)
        => index < Words.Count ? Words[index] : throw new CliException(ExitCodes.Usage, $"Missing {what}.");

    public int Number(int index, string what)
        => int.TryParse(Word(index, what), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new CliException(ExitCodes.Usage, $"{what} must be a positive whole number; '{Words[index]}' is not.");

    public string? Option(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public string Required(string name, string why)
        => Option(name) is { Length: > 0 } value && value.Trim().Length > 0 ? value : throw new CliException(ExitCodes.Usage, $"--{name} is required: {why}.");

    public bool Flag(string name)
    {
        _read.Add(name);
        return _options.ContainsKey(name);
    }

    public void ThrowIfUnread(int words)
    {
        if (_options.Keys.FirstOrDefault(k => !_read.Contains(k)) is { } unknown)
        {
            throw new CliException(ExitCodes.Usage, $"Unknown option --{unknown} for '{string.Join(' ', Words.Take(2))}'.");
        }

        if (Words.Count > words)
        {
            throw new CliException(ExitCodes.Usage, $"Unexpected '{Words[words]}' after '{string.Join(' ', Words.Take(words))}'.");
        }
    }
}
