namespace ModelRetraining;

/// <summary>
/// Ingests files dropped into a folder into a dataset, each exactly once: a file is taken only when it has
/// kept its size and time over two scans and <see cref="SettleTime"/> has passed since it was last written,
/// and no writer holds it open (a file still being copied is left for a later scan). A stored file moves to
/// <c>processed/</c>; a refused one to <c>refused/</c>, with the reason in <c>name.reason.txt</c> beside it.
/// The idempotency key is the file's name, size and time, so a crash between storing and moving stores it
/// once. Call <see cref="ScanAsync"/> from a timer, or <see cref="RunAsync"/>.
/// </summary>
public sealed class DatasetFolderWatcher
{
    private readonly DatasetStore _store;
    private readonly string _dataset;
    private readonly string _folder;
    private readonly Func<string, IDataSource> _sourceFor;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, (long Length, DateTime Written)> _seen = new(StringComparer.Ordinal);

    /// <summary>Watches a folder for a dataset.</summary>
    /// <param name="store">Where batches go.</param>
    /// <param name="dataset">The dataset.</param>
    /// <param name="folder">The folder watched (its top level; <c>processed/</c> and <c>refused/</c> are created in it).</param>
    /// <param name="sourceFor">How a file is read, e.g. <c>path =&gt; CsvDataSource.FromFile(path, schema)</c>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public DatasetFolderWatcher(DatasetStore store, string dataset, string folder, Func<string, IDataSource> sourceFor, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(sourceFor);
        (_store, _dataset, _folder, _sourceFor, _timeProvider) = (store, dataset, Path.GetFullPath(folder), sourceFor, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Gets or sets how long a file must be left unwritten before it is taken.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the files taken (a file-name pattern of the top level).</summary>
    /// <value>The default value is <c>*.csv*</c> (plain and gzipped CSV).</value>
    public string Pattern { get; set; } = "*.csv*";

    /// <summary>Gets or sets the sender recorded on every batch.</summary>
    /// <value>The default value is <c>folder-watcher</c>.</value>
    public string SentBy { get; set; } = "folder-watcher";

    /// <summary>Gets or sets the pipeline whose validators check each file before it is stored; none when <see langword="null"/>.</summary>
    public RetrainingPipeline? CheckWith { get; set; }

    /// <summary>Scans the folder once: stores every settled file, refuses the bad ones, leaves the rest.</summary>
    /// <param name="cancellationToken">Cancels the scan; the file being read stays for the next one.</param>
    /// <returns>What the scan did.</returns>
    public async Task<FolderScanResult> ScanAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_folder);
        var stored = new List<DatasetBatch>();
        var refused = new List<(string, string)>();
        var waiting = new List<string>();
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(_folder, Pattern).Where(p => !p.EndsWith(".reason.txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            present.Add(name);
            var info = new FileInfo(path);
            var state = (info.Length, info.LastWriteTimeUtc);
            var settled = _seen.TryGetValue(name, out var before) && before == state && now - state.LastWriteTimeUtc >= SettleTime && !IsOpenForWriting(path);
            _seen[name] = state;
            if (!settled)
            {
                waiting.Add(name);
                continue;
            }

            try
            {
                var key = $"file:{name}:{state.Length}:{state.LastWriteTimeUtc.Ticks}";
                stored.Add(await _store.AppendAsync(_dataset, _sourceFor(path), SentBy, key, CheckWith, cancellationToken).ConfigureAwait(false));
                Move(path, "processed");
            }
            catch (Exception ex) when (ex is DatasetBatchRefusedException or InvalidDataException or FormatException)
            {
                var target = Move(path, "refused");
                await File.WriteAllTextAsync(target + ".reason.txt", ex.Message, cancellationToken).ConfigureAwait(false);
                refused.Add((name, ex.Message));
            }

            _seen.Remove(name);
        }

        foreach (var gone in _seen.Keys.Where(k => !present.Contains(k)).ToArray())
        {
            _seen.Remove(gone);
        }

        return new FolderScanResult(stored, refused, waiting);
    }

    /// <summary>Scans every <paramref name="interval"/> until cancelled.</summary>
    /// <param name="interval">The time between scans.</param>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that ends when cancelled.</returns>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        while (!cancellationToken.IsCancellationRequested)
        {
            await ScanAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(interval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    // A writer that still holds the file makes an exclusive open fail (on Unix .NET takes an advisory lock,
    // which a writer that locks nothing — cp, an FTP daemon — does not hold: for those the settle time decides).
    private static bool IsOpenForWriting(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private string Move(string path, string folder)
    {
        var target = Path.Combine(_folder, folder);
        Directory.CreateDirectory(target);
        var destination = Path.Combine(target, Path.GetFileName(path));
        if (File.Exists(destination))
        {
            destination = Path.Combine(target, $"{Path.GetFileNameWithoutExtension(path)}.{_timeProvider.GetUtcNow().UtcTicks}{Path.GetExtension(path)}");
        }

        File.Move(path, destination);
        return destination;
    }
}
