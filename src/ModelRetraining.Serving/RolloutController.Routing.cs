using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Serving;

// The request path while a rollout runs: which arm answers (sticky by routing key), the shadow worker that
// scores copies off the caller's path, and the figures an analysis is made from.
internal sealed partial class RolloutController<TInput, TOutput>
{
    public Prediction<TOutput> PredictInRollout(TInput input, string? routingKey, RolloutRuntime<TInput, TOutput> rollout)
    {
        var sequence = _ledger.NextSequence();
        var share = rollout.Share;
        if (rollout.Options.Mode != RolloutMode.Shadow && share > 0 && rollout.Bucket(routingKey, sequence) < share && rollout.Challenger.TryAcquire())
        {
            var counters = rollout.ChallengerCounters;
            var started = Stopwatch.GetTimestamp();
            try
            {
                var output = rollout.Challenger.Predict(input);
                counters.AddCall(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                _ledger.Add(sequence, rollout.Challenger.Version.Version, output, counters, null);
                return new Prediction<TOutput>(_ledger.IdPrefix, sequence, rollout.Challenger.Version.Version, output, fromChallenger: true);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The caller still gets an answer, the champion's; the challenger's failure counts against it.
                counters.AddError();
                Log.ChallengerFailed(_logger, ex, _modelName, rollout.Challenger.Version.Version);
            }
            finally
            {
                rollout.Challenger.Release();
            }
        }

        while (true)
        {
            var model = _acquireChampion();
            if (model is null)
            {
                continue;
            }

            try
            {
                var counters = rollout.ChampionCounters;
                var started = Stopwatch.GetTimestamp();
                var output = model.Predict(input);
                counters.AddCall(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                ShadowResult? shadow = null;
                if (rollout.Shadow is { } queue && rollout.Bucket(null, sequence) < rollout.Options.ShadowSampleRate)
                {
                    shadow = new ShadowResult(rollout.ChallengerCounters);
                    if (!queue.Writer.TryWrite((input, shadow)))
                    {
                        shadow.Counters.AddDropped();
                        shadow = null;
                    }
                }

                _ledger.Add(sequence, model.Version.Version, output, counters, shadow);
                return new Prediction<TOutput>(_ledger.IdPrefix, sequence, model.Version.Version, output);
            }
            finally
            {
                model.Release();
            }
        }
    }

    // The challenger scores shadow copies one at a time off the callers' path; its failures are counted, never thrown.
    private async Task RunShadowAsync(RolloutRuntime<TInput, TOutput> rollout)
    {
        try
        {
            await foreach (var (input, result) in rollout.Shadow!.Reader.ReadAllAsync(rollout.Stopping.Token).ConfigureAwait(false))
            {
                if (!rollout.Challenger.TryAcquire())
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                try
                {
                    result.Output = rollout.Challenger.Predict(input);
                    result.Counters.AddCall(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    result.Counters.AddError();
                    Log.ChallengerFailed(_logger, ex, _modelName, rollout.Challenger.Version.Version);
                }
                finally
                {
                    rollout.Challenger.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private RolloutAnalysis Analyze(RolloutRuntime<TInput, TOutput> rollout)
    {
        var options = rollout.Options;
        var champion = rollout.ChampionCounters.Snapshot(options.Alpha);
        var challenger = rollout.ChallengerCounters.Snapshot(options.Alpha);
        var share = rollout.Share;
        if (share >= 1 && champion.Requests == 0 && rollout.ChampionBaseline is { } baseline)
        {
            // All traffic goes to the challenger at the last step: it is held to the champion's figures of the step before.
            champion = baseline;
        }
        else if (champion.Outcomes >= options.MinOutcomes)
        {
            rollout.ChampionBaseline = champion;
        }

        double? pValue = null;
        if (options.Mode == RolloutMode.AbTest)
        {
            // An A/B test has one step: its counters are the running totals the sequential test looks at.
            pValue = rollout.SequentialTest.Update(champion.Correct, champion.Outcomes, challenger.Correct, challenger.Outcomes);
        }

        return RolloutAnalyzer.Analyze(options, rollout.Step + 1, share, champion, challenger, pValue, _timeProvider.GetUtcNow());
    }
}
