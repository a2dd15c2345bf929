using System.Text.RegularExpressions;

namespace ModelRetraining;

/// <summary>
/// The names a registry accepts for models, aliases and tags. Names become folder names, file names
/// and SQL values in some backends, so path characters and control characters are refused everywhere.
/// </summary>
public static partial class RegistryNames
{
    /// <summary>The longest accepted name.</summary>
    public const int MaxLength = 128;

    /// <summary>Tells whether a name is acceptable: 1–128 characters of letters, digits, '.', '_' and '-', starting with a letter or digit, not ending with '.', with no "..".</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when acceptable.</returns>
    public static bool IsValid(string? name)
        => name is not null && name.Length <= MaxLength && NamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal) && !name.EndsWith('.');

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem when a name is not acceptable.</summary>
    /// <param name="name">The name.</param>
    /// <param name="what">What the name names, for the message (<c>model name</c>, <c>alias</c>).</param>
    /// <param name="parameterName">The parameter, for the exception.</param>
    public static void ThrowIfInvalid(string? name, string what, string parameterName)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(Describe(name, what), parameterName);
        }
    }

    /// <summary>Explains why a name is not acceptable.</summary>
    /// <param name="name">The name.</param>
    /// <param name="what">What the name names.</param>
    /// <returns>A sentence naming the value and the rule.</returns>
    public static string Describe(string? name, string what)
        => name is null
            ? $"The {what} is missing."
            : $"The {what} '{SafeText.Escape(name.Length > MaxLength ? name[..MaxLength] + "…" : name)}' is not allowed: use 1 to {MaxLength} letters, digits, '.', '_' or '-', starting with a letter or digit, not ending with '.', without '..', path separators or control characters{(name.Length > MaxLength ? $" (it has {name.Length} characters)" : string.Empty)}.";

    // \z, not $: '$' also matches before a final line break, which let "champion\n" through as a second alias.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
