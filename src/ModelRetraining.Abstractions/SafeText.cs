using System.Globalization;
using System.Text;

namespace ModelRetraining;

/// <summary>
/// Rules for text a person or a model supplies. Identities (actors, approvers, run ids) must not hold
/// control or invisible characters, because two identities that look the same must be the same and a
/// line break in a name forges a log line. Free text (reasons, comments, descriptions, data values) is
/// kept as given but escaped wherever it is written to a log.
/// </summary>
public static class SafeText
{
    /// <summary>The longest accepted identity (actor, approver).</summary>
    public const int MaxIdentityLength = 256;

    /// <summary>Tells whether a character is a control character, an invisible format character (zero-width space, bidi overrides, BOM) or a line or paragraph separator.</summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> for characters that identities refuse and logs escape.</returns>
    public static bool IsUnsafe(char c)
        => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>Tells whether a text holds any character <see cref="IsUnsafe(char)"/> refuses.</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> when one is found.</returns>
    public static bool HasUnsafeCharacters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem when an identity is missing, blank, too long, or holds a control or invisible character.</summary>
    /// <param name="identity">The identity.</param>
    /// <param name="what">What it names, for the message (<c>actor</c>, <c>approver</c>).</param>
    /// <param name="parameterName">The parameter, for the exception.</param>
    public static void ThrowIfInvalidIdentity(string? identity, string what, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(identity))
        {
            throw new ArgumentException($"The {what} is missing: say who acts.", parameterName);
        }

        if (identity.Length > MaxIdentityLength)
        {
            throw new ArgumentException($"The {what} '{Escape(identity[..32])}…' is {identity.Length} characters long; at most {MaxIdentityLength} are allowed.", parameterName);
        }

        for (var i = 0; i < identity.Length; i++)
        {
            if (IsUnsafe(identity[i]))
            {
                throw new ArgumentException($"The {what} '{Escape(identity)}' holds the control or invisible character U+{(int)identity[i]:X4} at position {i + 1}: identities may not, because they would look like another identity or forge a log line.", parameterName);
            }
        }
    }

    /// <summary>
    /// Escapes control and invisible characters as <c>\uXXXX</c> (and a backslash as <c>\\</c> when
    /// anything was escaped, so the result reads back unambiguously), for writing free text into a log line.
    /// </summary>
    /// <param name="text">The text, or <see langword="null"/>.</param>
    /// <returns>The text with every unsafe character escaped; the same instance when there was none.</returns>
    public static string Escape(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        if (!HasUnsafeCharacters(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c == '\\')
            {
                builder.Append(@"\\");
            }
            else if (IsUnsafe(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
