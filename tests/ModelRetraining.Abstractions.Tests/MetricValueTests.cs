namespace ModelRetraining.Abstractions.Tests;

public class MetricValueTests
{
    [Theory]
    [InlineData(0.80, 0.75, MetricDirection.HigherIsBetter, 0.05)]
    [InlineData(0.70, 0.75, MetricDirection.HigherIsBetter, -0.05)]
    [InlineData(0.40, 0.50, MetricDirection.LowerIsBetter, 0.10)]
    [InlineData(0.60, 0.50, MetricDirection.LowerIsBetter, -0.10)]
    public void Improvement_EitherDirection_IsPositiveWhenBetter(double candidate, double baseline, MetricDirection direction, double expected)
        => Assert.Equal(expected, MetricValue.Improvement(candidate, baseline, direction), 10);
}
