using System.Security.Cryptography;
using System.Text;

namespace ModelRetraining;

/// <summary>
/// SHA-256 fed in 64 KB blocks. A fingerprint hashes every row, and one call into the crypto library per
/// row (tens of bytes) cost more than parsing the row; gathering rows into blocks gives the same hash.
/// </summary>
internal sealed class BlockHash : IDisposable
{
    private const int BlockSize = 1 << 16;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _block = new byte[BlockSize];
    private int _used;

    /// <summary>Adds bytes.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > BlockSize - _used)
        {
            Flush();
            if (bytes.Length > BlockSize)
            {
                _hash.AppendData(bytes);
                return;
            }
        }

        bytes.CopyTo(_block.AsSpan(_used));
        _used += bytes.Length;
    }

    /// <summary>Adds text as UTF-8, then one terminating byte.</summary>
    public void AppendUtf8(ReadOnlySpan<char> text, byte terminator)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        if (most > BlockSize)
        {
            Append(Encoding.UTF8.GetBytes(text.ToArray()));
            Append([terminator]);
            return;
        }

        if (most > BlockSize - _used)
        {
            Flush();
        }

        _used += Encoding.UTF8.GetBytes(text, _block.AsSpan(_used));
        _block[_used++] = terminator;
    }

    /// <summary>Gets the hash of everything added, as <c>sha256:</c> and lower-case hex, and starts again empty.</summary>
    public string Finish()
    {
        Flush();
        return "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public void Dispose() => _hash.Dispose();

    private void Flush()
    {
        _hash.AppendData(_block, 0, _used);
        _used = 0;
    }
}
