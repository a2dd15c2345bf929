using System.Threading.Channels;

namespace ModelRetraining.Serving;

/// <summary>
/// A running rollout: the loaded challenger, the traffic share, the current step's counters for both arms,
/// the analyses so far, the A/B test's running state and the shadow queue. Changed under its lock; the
/// prediction path reads the share, the counters and the challenger without it.
/// </summary>
internal sealed class RolloutRuntime<TInput, TOutput>
    where TInput : class
    where TOutput : class, new()
{
    public RolloutRuntime(string modelName, RolloutOptions options, int championVersion, LoadedModel<TInput, TOutput> challenger)
    {
        Options = options;
        ChampionVersion = championVersion;
        Challenger = challenger;
        Salt = Fnv($"{modelName}/v{championVersion}/v{challenger.Version.Version}/{options.Mode}", 14695981039346656037UL);
        Share = options.Mode switch
        {
            RolloutMode.Canary => options.CanarySteps[0],
            RolloutMode.AbTest => options.ChallengerWeight,
            _ => 0,
        };
        _championCounters = new ArmCounters(championVersion, options.LatencyWarmUpCalls);
        _challengerCounters = new ArmCounters(challenger.Version.Version, options.LatencyWarmUpCalls);
        SequentialTest = new MixtureSequentialTest(options.MixingVariance);
        if (options.Mode == RolloutMode.Shadow)
        {
            Shadow = Channel.CreateBounded<(TInput Input, ShadowResult Result)>(new BoundedChannelOptions(options.ShadowQueueCapacity)
            {
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once: the request is dropped and counted, never waited for
                SingleReader = true,
            });
        }
    }

    public object Gate { get; } = new();

    public SemaphoreSlim Analyzing { get; } = new(1, 1);

    public RolloutOptions Options { get; }

    public int ChampionVersion { get; }

    public LoadedModel<TInput, TOutput> Challenger { get; }

    // Routing keys hash with a salt made from the model, both versions and the mode: a key sticks to its arm
    // for the rollout in every process and across restarts, and falls independently in another rollout.
    public ulong Salt { get; }

    // Read on the request path without the gate: volatile, behind properties (no public mutable fields).
    private volatile RolloutStatus _status;
    private volatile ArmCounters _championCounters;
    private volatile ArmCounters _challengerCounters;
    private volatile bool _promoting;
    private double _share;

    public RolloutStatus Status { get => _status; set => _status = value; }

    // The index of the current canary step (0-based, into CanarySteps); states and analyses show it counted from 1.
    public int Step { get; set; }

    // The challenger's share of traffic; a double is read and written whole on 64-bit.
    public double Share { get => Volatile.Read(ref _share); set => Volatile.Write(ref _share, value); }

    public ArmCounters ChampionCounters { get => _championCounters; set => _championCounters = value; }

    public ArmCounters ChallengerCounters { get => _challengerCounters; set => _challengerCounters = value; }

    public MixtureSequentialTest SequentialTest { get; }

    public List<RolloutAnalysis> Analyses { get; } = [];

    public Channel<(TInput Input, ShadowResult Result)>? Shadow { get; }

    public CancellationTokenSource Stopping { get; } = new();

    public Task? ShadowWorker { get; set; }

    public ITimer? AnalysisTimer { get; set; }

    public int? Winner { get; set; }

    public bool Promoting { get => _promoting; set => _promoting = value; }

    // The champion's figures from the latest step that had enough of its outcomes: the bar at a 100% step.
    public ArmStatistics? ChampionBaseline { get; set; }

    public string? LastChange { get; set; }

    public RolloutState Snapshot()
        => new(Options.Mode, ChampionVersion, Challenger.Version.Version, Status, Step + 1, Share, [.. Analyses])
        {
            Winner = Winner,
            LastChange = LastChange,
        };

    // FNV-1a over the key's characters, then a splitmix64 finalizer: deterministic across processes and
    // runs (string.GetHashCode is randomized per process), evenly spread over [0, 1).
    public double Bucket(string? routingKey, long sequence)
    {
        var hash = 14695981039346656037UL ^ Salt;
        if (routingKey is null)
        {
            hash ^= (ulong)sequence;
            hash *= 1099511628211UL;
        }
        else
        {
            hash = Fnv(routingKey, hash);
        }

        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        hash ^= hash >> 31;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Fnv(string text, ulong hash)
    {
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash;
    }
}
