namespace ModelRetraining.Tests;

/// <summary>
/// Our detectors on River's own test vectors: the streams of its doctests and unit tests
/// (<see cref="RiverStreams"/>) must give the indexes River's documentation and tests assert.
/// </summary>
public class RiverReferenceTests
{
    // River's doctest loop: the first warning after each drift is printed, and every drift.
    private static List<string> DoctestOutput(IConceptDriftDetector detector, double[] stream)
    {
        var printed = new List<string>();
        var printWarning = true;
        for (var i = 0; i < stream.Length; i++)
        {
            var state = detector.Add(stream[i]);
            if (state == ConceptDriftState.Warning && printWarning)
            {
                printed.Add($"Warning detected at index {i}");
                printWarning = false;
            }

            if (state == ConceptDriftState.Drift)
            {
                printed.Add($"Change detected at index {i}");
                printWarning = true;
            }
        }

        return printed;
    }

    // River's perform_test: every index where a drift is detected.
    private static int[] Drifts(IConceptDriftDetector detector, double[] stream)
        => [.. stream.Select((x, i) => (State: detector.Add(x), i)).Where(s => s.State == ConceptDriftState.Drift).Select(s => s.i)];

    [Fact]
    public void Ddm_RiversDoctest_PrintsWhatRiverPrints()
        => Assert.Equal(["Warning detected at index 1084", "Change detected at index 1334", "Warning detected at index 1492"], DoctestOutput(ConceptDrift.Ddm(), RiverStreams.DoctestRandom42));

    [Fact]
    public void Ddm_RiversUnitTest_DriftsAt1049_AndNeverOnAllOnes()
    {
        Assert.Equal([1049], Drifts(ConceptDrift.Ddm(), RiverStreams.TestStream2));
        Assert.Empty(Drifts(ConceptDrift.Ddm(), Enumerable.Repeat(1.0, 1000).ToArray()));
    }

    [Fact]
    public void Eddm_RiversDoctest_PrintsWhatRiverPrints()
        => Assert.Equal(["Warning detected at index 1059", "Change detected at index 1278"], DoctestOutput(ConceptDrift.Eddm(warningThreshold: 0.8, driftThreshold: 0.75), RiverStreams.DoctestRandom42));

    [Fact]
    public void Eddm_RiversUnitTest_DriftsAt1059()
        => Assert.Equal([1059], Drifts(ConceptDrift.Eddm(warningThreshold: 0.9, driftThreshold: 0.8), RiverStreams.TestStream2));

    [Fact]
    public void PageHinkley_RiversDoctest_DriftsAt1006()
        => Assert.Equal([1006], Drifts(ConceptDrift.PageHinkley(), RiverStreams.DoctestRandom12345));

    [Fact]
    public void PageHinkley_RiversUnitTest_BothDirections_DriftsAt588_1097_1585()
        => Assert.Equal([588, 1097, 1585], Drifts(ConceptDrift.PageHinkley(), RiverStreams.TestStream3));

    [Fact]
    public void Adwin_RiversDoctest_DriftsAt1023()
        => Assert.Equal([1023], Drifts(ConceptDrift.Adwin(), RiverStreams.DoctestRandom12345));

    // River's current test_adwin (with the clock and grace period) asserts [1023]; versions before them asserted [1055].
    [Fact]
    public void Adwin_RiversUnitTest_DriftsAt1023()
        => Assert.Equal([1023], Drifts(ConceptDrift.Adwin(), RiverStreams.TestStream1));
}
