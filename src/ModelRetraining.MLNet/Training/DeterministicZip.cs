using System.IO.Compression;

namespace ModelRetraining.MLNet;

/// <summary>
/// Rewrites a saved ML.NET model so that equal models are equal bytes: ML.NET stamps each zip entry with
/// the time it was written, so two identical retrainings had different SHA-256 addresses (and the registry
/// stored both). Entries keep their order, names and content; only their times become one fixed instant.
/// </summary>
internal static class DeterministicZip
{
    // The earliest time a zip entry can carry (MS-DOS dates start in 1980).
    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Normalize(byte[] zip)
    {
        using var input = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
        using var output = new MemoryStream(zip.Length);
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var copy = archive.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = FixedTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }
}
