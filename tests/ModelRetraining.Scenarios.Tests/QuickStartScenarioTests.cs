using ModelRetraining.Testing;
using QuickStart;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// Story: a team trains a flight-delay model on January–February 2001 and promotes it. New data for
/// March–May arrives; the pipeline validates it, retrains, scores the champion and the challenger on
/// June, and the gate promotes the challenger because it is no worse. An operator then rolls back with
/// one call, and the registry shows every version and every move of the champion alias.
/// </summary>
public class QuickStartScenarioTests
{
    [Fact]
    public async Task QuickStart_WholeCycleOnFlights2001_PromotesRetrainedModelThenRollsBack()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mr-scenarios", Guid.NewGuid().ToString("N"));
        using var output = new StringWriter();

        var outcome = await QuickStartStory.RunAsync(folder, FlightDelays.DataFile, output);

        // v1: first run, no champion, value thresholds only, promoted.
        Assert.Equal(RetrainingRunStatus.Succeeded, outcome.FirstRun.Status);
        Assert.Equal(1, outcome.FirstRun.RegisteredVersion?.Version);
        Assert.True(outcome.FirstRun.Decision?.NoBaseline);
        Assert.Equal("ValueThresholdsOnly", outcome.FirstRun.Decision?.FirstRunPolicy);

        // v2: judged against v1 on the same June rows, and promoted.
        var second = outcome.SecondRun;
        Assert.Equal(RetrainingRunStatus.Succeeded, second.Status);
        Assert.Equal(2, second.RegisteredVersion?.Version);
        Assert.Equal(1, second.RegisteredVersion?.ParentVersion);
        Assert.Equal(1, second.PreviousChampion?.Version);
        Assert.NotNull(second.Evaluation?.Champion);
        Assert.Equal(41_852, second.Evaluation!.HoldoutRows);
        var auc = second.Decision!.Criteria.Single(c => c.Criterion == "AUC no worse than champion");
        Assert.True(auc.Passed);
        Assert.Equal(second.Evaluation.Candidate.Metrics["AUC"].Value, auc.CandidateValue);
        Assert.Equal(second.Evaluation.Champion!.Metrics["AUC"].Value, auc.ChampionValue);
        Assert.Equal(auc.CandidateValue - auc.ChampionValue, auc.Difference);
        Assert.True(auc.CandidateValue > auc.ChampionValue, "the retrained model should beat the stale one on June");
        Assert.Equal(80_535, outcome.Versions[0].Datasets.Single(d => d.Role == "training").Rows);
        Assert.Equal(127_613, outcome.Versions[1].Datasets.Single(d => d.Role == "training").Rows);

        // Each version carries its training-data profile; run 2 compared its data with v1's and wrote reports.
        Assert.All(outcome.Versions, v => Assert.Contains(v.Attachments, a => a.Name == "profile.json"));
        var driftFiles = second.Validation.Where(r => r.Validator == "drift").SelectMany(r => r.ReportFiles).ToArray();
        Assert.Equal(4, driftFiles.Length);
        Assert.All(driftFiles, f => Assert.True(File.Exists(f), f));
        Assert.Contains(outcome.FirstRun.Validation.SelectMany(r => r.Issues), i => i.Rule == "drift.no-reference");

        // The registry: two versions, and a champion history of none→v1, v1→v2, v2→v1 (the rollback).
        Assert.Equal([1, 2], outcome.Versions.Select(v => v.Version));
        Assert.Equal([(int?)null, 1, 2], outcome.ChampionHistory.Select(h => h.FromVersion));
        Assert.Equal([(int?)1, 2, 1], outcome.ChampionHistory.Select(h => h.ToVersion));
        Assert.Equal("operator", outcome.ChampionHistory[^1].Actor);
        Assert.Contains("rollback", outcome.ChampionHistory[^1].Reason, StringComparison.Ordinal);
        Assert.NotNull(outcome.Rollback);

        // What is on disk agrees with what the story saw.
        var reopened = ModelRegistry.Embedded(folder);
        Assert.Equal(1, (await reopened.GetAliasAsync("flight-delays", ModelAliases.Champion))?.Version);
        var audit = new List<AuditEvent>();
        await foreach (var a in reopened.GetAuditEventsAsync("flight-delays"))
        {
            audit.Add(a);
        }

        Assert.Contains(audit, a => a.Action == "alias.rollback" && a.From == "v2" && a.To == "v1");

        // The printed story shows the decision table and both histories.
        var text = output.ToString();
        Assert.Contains("AUC no worse than champion", text, StringComparison.Ordinal);
        Assert.Contains("champion: v1 -> v2", text, StringComparison.Ordinal);
        Assert.Contains("champion: v2 -> v1 by operator", text, StringComparison.Ordinal);
    }
}
