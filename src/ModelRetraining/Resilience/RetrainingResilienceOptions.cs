using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ModelRetraining;

/// <summary>
/// Resilience around a pipeline's I/O: data-source loads and registry calls. The standard preset retries
/// transient failures three times with exponential back-off and jitter, gives each attempt a timeout and
/// opens a circuit after repeated failures. Registry writes that are not idempotent (registering a version,
/// moving an alias, appending to the journal) are never retried, so a retry can never register twice.
/// </summary>
public sealed class RetrainingResilienceOptions
{
    /// <summary>Gets or sets the pipeline around data-source loads; <see langword="null"/> builds the standard one.</summary>
    public ResiliencePipeline? DataSource { get; set; }

    /// <summary>Gets or sets the pipeline around idempotent registry calls (reads, tags); <see langword="null"/> builds the standard one.</summary>
    public ResiliencePipeline? RegistryReads { get; set; }

    /// <summary>Gets or sets the pipeline around non-idempotent registry writes; <see langword="null"/> builds one with a timeout only.</summary>
    public ResiliencePipeline? RegistryWrites { get; set; }

    /// <summary>Gets or sets the retries of the standard pipelines.</summary>
    /// <value>The default value is 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the first back-off of the standard pipelines (doubling, with jitter).</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the timeout of each attempt in the standard pipelines.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the time provider the standard pipelines wait on (a fake one in tests).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxRetries < 0)
        {
            errors.Add($"{nameof(MaxRetries)} must be 0 or more; it is {MaxRetries}.");
        }

        if (BaseDelay < TimeSpan.Zero)
        {
            errors.Add($"{nameof(BaseDelay)} must not be negative; it is {BaseDelay}.");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(AttemptTimeout)} must be positive; it is {AttemptTimeout}.");
        }

        return errors;
    }

    internal ResiliencePipeline Standard(bool retry)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = TimeProvider };
        if (retry)
        {
            var transient = new PredicateBuilder()
                .Handle<IOException>(ex => ex is not FileNotFoundException and not DirectoryNotFoundException)
                .Handle<TimeoutRejectedException>()
                .Handle<ModelRegistryException>(ex => ex is not AliasConflictException and not ArtifactIntegrityException and not RunClaimedException && !ex.Message.Contains("read-only", StringComparison.Ordinal));
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = Math.Max(MaxRetries, 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
            });
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions { ShouldHandle = transient, FailureRatio = 0.9, MinimumThroughput = 20, BreakDuration = TimeSpan.FromSeconds(30) });
        }

        return builder.AddTimeout(AttemptTimeout).Build();
    }
}
