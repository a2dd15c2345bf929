namespace ModelRetraining.Abstractions.Tests;

public class RetrainingRunResultTests
{
    private static RetrainingRunResult Result(RetrainingRunStatus status) => new("run", "churn", status, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public void ThrowIfFailed_Failed_RethrowsTheOriginalException()
    {
        var cause = new InvalidDataException("bad row");
        var thrown = Assert.Throws<InvalidDataException>(() => (Result(RetrainingRunStatus.Failed) with { Exception = cause }).ThrowIfFailed());
        Assert.Same(cause, thrown);
    }

    [Fact]
    public void ThrowIfFailed_FailedWithoutException_ThrowsStageExceptionWithReasons()
    {
        var thrown = Assert.Throws<RetrainingStageException>(() => (Result(RetrainingRunStatus.Failed) with { Stage = RetrainingStage.Training, Reasons = ["boom"] }).ThrowIfFailed());
        Assert.Equal(RetrainingStage.Training, thrown.Stage);
        Assert.Contains("boom", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThrowIfFailed_Cancelled_ThrowsOperationCanceled()
        => Assert.ThrowsAny<OperationCanceledException>(() => Result(RetrainingRunStatus.Cancelled).ThrowIfFailed());

    [Theory]
    [InlineData(RetrainingRunStatus.Succeeded)]
    [InlineData(RetrainingRunStatus.Rejected)]
    [InlineData(RetrainingRunStatus.AwaitingApproval)]
    public void ThrowIfFailed_NormalOutcomes_ReturnTheResult(RetrainingRunStatus status)
    {
        var result = Result(status);
        Assert.Same(result, result.ThrowIfFailed());
    }

    [Fact]
    public void Promoted_OnlyWhenSucceeded()
    {
        Assert.True(Result(RetrainingRunStatus.Succeeded).Promoted);
        Assert.False(Result(RetrainingRunStatus.Rejected).Promoted);
    }
}
