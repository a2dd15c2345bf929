namespace ModelRetraining;

/// <summary>Interns category strings while reading, so a million rows of 200 airport codes hold 200 strings.</summary>
internal static class TextPool
{
    [ThreadStatic]
    private static Dictionary<string, string>? t_pool;

    public static string Intern(ReadOnlySpan<char> value)
    {
        if (value.Length > 64)
        {
            return value.ToString();
        }

        var pool = t_pool ??= new Dictionary<string, string>(StringComparer.Ordinal);
        var lookup = pool.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(value, out var existing))
        {
            return existing;
        }

        if (pool.Count > 100_000)
        {
            pool.Clear();
        }

        var text = value.ToString();
        pool[text] = text;
        return text;
    }
}
