namespace ModelRetraining;

/// <summary>
/// Where validators write their reports: <c>{folder}/{run id}/{stem}</c>. The run id is checked like a
/// registry name and the result must stay inside the folder, so a run id such as <c>../../x</c>, an
/// absolute path or a NUL never writes elsewhere.
/// </summary>
internal static class ReportPaths
{
    public static string RunFolder(string folder, string runId)
    {
        RegistryNames.ThrowIfInvalid(runId, "run id", nameof(runId));
        var root = Path.GetFullPath(folder);
        var target = Path.GetFullPath(Path.Combine(root, runId));
        if (!target.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The report folder for run '{SafeText.Escape(runId)}' would lie outside '{root}'; nothing was written.", nameof(runId));
        }

        Directory.CreateDirectory(target);
        return target;
    }

    // A report file's stem says which data set it is about: the data set's short name, reduced to letters,
    // digits, dots and dashes (no separator or traversal survives), then its fingerprint, which keeps two
    // data sets with one name apart.
    public static string Stem(DatasetSnapshot data)
    {
        var slug = new System.Text.StringBuilder();
        foreach (var c in data.Name)
        {
            var keep = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (c == '.' && slug.Length > 0 && char.IsAsciiLetterOrDigit(slug[^1]));
            if (keep || (slug.Length > 0 && slug[^1] != '-'))
            {
                slug.Append(keep ? c : '-');
            }
        }

        var name = slug.ToString().Trim('-', '.');
        name = name.Length > 60 ? name[..60].TrimEnd('-', '.') : name;
        var hash = Stem(data.Fingerprint)[..Math.Min(8, Stem(data.Fingerprint).Length)];
        return name.Length == 0 ? hash : $"{name}-{hash}";
    }

    // A data set's fingerprint names its report files: only its hex digits are used, at most 12.
    public static string Stem(string fingerprint)
    {
        var hex = new string(fingerprint.Replace("sha256:", string.Empty, StringComparison.Ordinal).Where(char.IsAsciiLetterOrDigit).Take(12).ToArray());
        return hex.Length == 0 ? "data" : hex;
    }
}
