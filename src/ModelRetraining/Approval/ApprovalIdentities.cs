using System.Text;

namespace ModelRetraining;

/// <summary>
/// The one rule by which approvals compare people. Four-eyes and quorum count persons, so <c>bob</c>,
/// <c>Bob</c>, <c> bob </c> and a full-width <c>ｂｏｂ</c> must be one person: an identity is trimmed,
/// brought to Unicode normalization form KC and case-folded, and one holding a control or invisible
/// character (<c>alice\u200b</c>) is refused outright rather than silently made equal. A host that knows
/// a stable principal id (a user's object id) should map identities to it with the gateway's
/// <c>principalOf</c> hook; the id it returns goes through the same rule.
/// </summary>
public static class ApprovalIdentities
{
    /// <summary>Returns the key under which an identity is compared with others.</summary>
    /// <param name="identity">The identity as the host supplied it.</param>
    /// <param name="what">What it names, for the message (<c>approver</c>, <c>requester</c>).</param>
    /// <returns>The trimmed, NFKC-normalized, case-folded identity.</returns>
    /// <exception cref="ArgumentException">The identity is missing, blank, too long, or holds a control or invisible character.</exception>
    public static string Key(string? identity, string what = "approver")
    {
        SafeText.ThrowIfInvalidIdentity(identity, what, nameof(identity));
        var normalized = identity!.Trim().Normalize(NormalizationForm.FormKC);

        // Upper then lower folds the pairs a single lowering misses (the Kelvin sign, 'ſ' and friends).
        return normalized.ToUpperInvariant().ToLowerInvariant();
    }

    /// <summary>Tells whether two identities name the same person under <see cref="Key"/>.</summary>
    /// <param name="first">One identity.</param>
    /// <param name="second">The other.</param>
    /// <returns><see langword="true"/> when their keys are equal.</returns>
    public static bool Same(string first, string second)
        => string.Equals(Key(first), Key(second), StringComparison.Ordinal);
}
