namespace ModelRetraining.Abstractions.Tests;

public class ModelVersionDiffTests
{
    private static ModelVersion Version(int number, string artifact) => new("churn", number, new ArtifactReference(artifact, 3), ArtifactFlavors.MLNet, DateTimeOffset.UnixEpoch, "tests");

    [Fact]
    public void Between_TwoVersions_ListsMetricsWithImprovementAndOnlyChangedValues()
    {
        var from = Version(1, "a") with
        {
            Metrics = new Dictionary<string, MetricValue> { ["AUC"] = new("AUC", 0.70, MetricDirection.HigherIsBetter), ["LogLoss"] = new("LogLoss", 0.50, MetricDirection.LowerIsBetter), ["Old"] = new("Old", 1, MetricDirection.HigherIsBetter) },
            Parameters = new Dictionary<string, string> { ["trees"] = "100", ["seed"] = "1" },
            Datasets = [new DatasetReference("training", "flights", "sha256:1", 10)],
            Attachments = [new ModelAttachment(AttachmentNames.Profile, "profile", "profile.json", new ArtifactReference("p1", 5))],
            Tags = new Dictionary<string, string> { ["decision"] = "approved" },
        };
        var to = Version(2, "b") with
        {
            Metrics = new Dictionary<string, MetricValue> { ["AUC"] = new("AUC", 0.75, MetricDirection.HigherIsBetter), ["LogLoss"] = new("LogLoss", 0.60, MetricDirection.LowerIsBetter) },
            Parameters = new Dictionary<string, string> { ["trees"] = "200", ["seed"] = "1" },
            Datasets = [new DatasetReference("training", "flights", "sha256:2", 12)],
            Attachments = [new ModelAttachment(AttachmentNames.Profile, "profile", "profile.json", new ArtifactReference("p1", 5)), new ModelAttachment(AttachmentNames.Onnx, "onnx", "model.onnx", new ArtifactReference("o2", 9))],
            Tags = new Dictionary<string, string> { ["decision"] = "approved" },
        };

        var diff = ModelVersionDiff.Between(from, to);

        Assert.Equal(["AUC", "LogLoss", "Old"], diff.Metrics.Select(m => m.Name));
        Assert.Equal(0.05, diff.Metrics[0].Improvement!.Value, 9);
        Assert.Equal(-0.10, diff.Metrics[1].Improvement!.Value, 9);
        Assert.Equal((1.0, (double?)null, (double?)null), (diff.Metrics[2].From!.Value, diff.Metrics[2].To, diff.Metrics[2].Improvement));
        Assert.Equal([new ValueDifference("trees", "100", "200")], diff.Parameters);
        Assert.Equal([new ValueDifference("training/flights", "sha256:1 (10 rows)", "sha256:2 (12 rows)")], diff.Datasets);
        Assert.Equal([new ValueDifference(AttachmentNames.Onnx, null, "o2")], diff.Attachments);
        Assert.Empty(diff.Tags);
    }

    [Fact]
    public void Between_VersionsOfTwoModels_IsRefusedNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelVersionDiff.Between(Version(1, "a"), Version(1, "b") with { ModelName = "fraud" }));
        Assert.Contains("churn v1 and fraud v1 belong to different models", error.Message, StringComparison.Ordinal);
    }
}
