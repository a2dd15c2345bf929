namespace ModelRetraining.Tests;

public class ConceptDriftDetectorTests
{
    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Feeds a stream with a change at value 2,000 and returns the first drift before and after it.</summary>
    private static (int? FalseAlarm, int? Delay) Run(IConceptDriftDetector detector, Func<Random, int, double> value, int seed)
    {
        var random = new Random(seed);
        int? falseAlarm = null, delay = null;
        for (var t = 0; t < 4_000; t++)
        {
            if (detector.Add(value(random, t)) != ConceptDriftState.Drift)
            {
                continue;
            }

            if (t < 2_000)
            {
                falseAlarm ??= t;
            }
            else
            {
                delay ??= t - 2_000;
            }
        }

        return (falseAlarm, delay);
    }

    private static double ErrorRateJump(Random r, int t) => r.NextDouble() < (t < 2_000 ? 0.10 : 0.40) ? 1 : 0;

    private static double LossShift(Random r, int t) => Gaussian(r) + (t < 2_000 ? 0 : 1);

    [Fact]
    public void Adwin_ErrorRateJump_DetectedQuicklyWithoutFalseAlarms()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var (falseAlarm, delay) = Run(ConceptDrift.Adwin(), ErrorRateJump, seed);
            Assert.Null(falseAlarm);
            Assert.InRange(delay!.Value, 0, 250);
        }
    }

    [Theory]
    [InlineData("DDM")]
    [InlineData("EDDM")]
    public void ErrorRateDetectors_ErrorRateJump_DetectedInNearlyEveryStream(string name)
    {
        var detected = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var detector = name == "DDM" ? ConceptDrift.Ddm() : ConceptDrift.Eddm();
            detected += Run(detector, ErrorRateJump, seed).Delay is < 400 ? 1 : 0;
        }

        Assert.True(detected >= 18, $"{name} detected {detected} of 20");
    }

    [Theory]
    [InlineData("ADWIN")]
    [InlineData("Page-Hinkley")]
    [InlineData("KSWIN")]
    public void RealValuedDetectors_LossShift_Detected(string name)
    {
        for (var seed = 0; seed < 20; seed++)
        {
            IConceptDriftDetector detector = name switch
            {
                "ADWIN" => ConceptDrift.Adwin(),
                "Page-Hinkley" => ConceptDrift.PageHinkley(),
                _ => ConceptDrift.Kswin(seed: seed),
            };
            Assert.True(Run(detector, LossShift, seed).Delay is < 500, $"{name}, seed {seed}");
        }
    }

    [Fact]
    public void Ddm_ReadsOneAsAnError_SoAnImprovingModelIsNotDrift()
    {
        var detector = ConceptDrift.Ddm();
        var random = new Random(1);
        for (var t = 0; t < 4_000; t++)
        {
            Assert.NotEqual(ConceptDriftState.Drift, detector.Add(random.NextDouble() < (t < 2_000 ? 0.4 : 0.1) ? 1 : 0));
        }
    }

    [Fact]
    public void Detectors_ResetAfterADrift()
    {
        var detector = ConceptDrift.PageHinkley();
        var random = new Random(2);
        var t = 0;
        while (detector.Add(LossShift(random, 2_000 + t)) != ConceptDriftState.Drift && t < 10_000)
        {
            t++;
        }

        Assert.Equal(0, detector.Count);
        Assert.Equal("Page-Hinkley", detector.Name);
    }

    [Theory]
    [InlineData("ADWIN")]
    [InlineData("KSWIN")]
    public void OneChange_GivesOneDriftSignal_AndTheDetectorStartsAfresh(string name)
    {
        // River's users filed the opposite as online-ml/river#574: a detector that keeps the old window after
        // a drift signals the same change again, and every signal raises a retraining trigger.
        var signals = new List<int>();
        for (var seed = 0; seed < 20; seed++)
        {
            var detector = name == "ADWIN" ? ConceptDrift.Adwin() : ConceptDrift.Kswin(seed: seed);
            var random = new Random(seed);
            var count = 0;
            for (var t = 0; t < 3_000; t++)
            {
                // One change at t = 1,000: the error rate goes from 10% to 70%, then stays there.
                if (detector.Add(random.NextDouble() < (t < 1_000 ? 0.1 : 0.7) ? 1 : 0) == ConceptDriftState.Drift)
                {
                    count++;
                    Assert.Equal(0, detector.Count);
                }
            }

            signals.Add(count);
        }

        Assert.True(signals.Count(c => c == 1) >= 18, $"{name} signals per stream: {string.Join(", ", signals)}");
        Assert.DoesNotContain(signals, c => c > 2);
    }

    [Fact]
    public void Ddm_RisingErrors_WarnBeforeTheyDrift()
    {
        var detector = ConceptDrift.Ddm();
        var random = new Random(3);
        var states = new List<ConceptDriftState>();
        for (var t = 0; t < 4_000; t++)
        {
            states.Add(detector.Add(ErrorRateJump(random, t)));
        }

        var drift = states.IndexOf(ConceptDriftState.Drift, 2_000);
        Assert.True(drift > 2_000);
        Assert.Contains(ConceptDriftState.Warning, states.Skip(2_000).Take(drift - 2_000));
    }
}
