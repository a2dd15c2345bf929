using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

/// <summary>How a pipeline is composed: components are created at Build() from the settings as they are then; every kind of component can be decorated; the stages run in the order of <see cref="RetrainingStage"/>.</summary>
public class PipelineCompositionTests
{
    /// <summary>A logger factory that remembers which categories were asked for.</summary>
    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public List<string> Categories { get; } = [];

        public ILogger CreateLogger(string categoryName)
        {
            Categories.Add(categoryName);
            return NullLogger.Instance;
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void LoggerFactory_SetAfterAddDriftDetection_IsTheOneTheDriftValidatorLogsTo()
    {
        var factory = new RecordingLoggerFactory();
        var builder = new PipelineFixture().Builder().AddDriftDetection();

        builder.LoggerFactory = factory;
        builder.Build();

        Assert.Contains(typeof(DriftValidator).FullName!, factory.Categories);
    }

    [Fact]
    public void Build_InvalidPipelineOptions_AreRefusedListingEach()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new PipelineFixture().Builder().Configure(o => (o.RollbackSampleRows, o.MinHoldoutRows) = (0, 0)).Build());

        Assert.Contains(error.Failures, f => f.Contains("RetrainingPipelineOptions.RollbackSampleRows must be 1 or more", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RetrainingPipelineOptions.MinHoldoutRows must be 1 or more", StringComparison.Ordinal));
    }

    [Fact]
    public void Decorate_AKindThatIsNotAPipelineComponent_IsRefusedNamingTheKinds()
    {
        var error = Assert.Throws<ArgumentException>(() => new PipelineFixture().Builder().Decorate<IArtifactStore>(s => s));

        Assert.Contains("IArtifactStore is not a kind of pipeline component", error.Message, StringComparison.Ordinal);
        Assert.Contains("IEvaluator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RegistryThatKeepsNoJournal_IsRefusedUnlessOneIsGiven()
    {
        var fixture = new PipelineFixture();
        var error = Assert.Throws<OptionsValidationException>(() => fixture.Builder().UseRegistry(new VersionsOnlyRegistry(fixture.Registry)).Build());

        Assert.Contains(error.Failures, f => f.Contains("No run journal", StringComparison.Ordinal));
        Assert.NotNull(fixture.Builder().UseRegistry(new VersionsOnlyRegistry(fixture.Registry)).UseRunJournal(new InMemoryModelRegistry()).Build());
    }

    [Fact]
    public async Task Decorate_TrainerTwiceAndTheGate_WrapsInOrderTheLastOutermost()
    {
        var fixture = new PipelineFixture();
        var calls = new List<string>();
        var pipeline = fixture.Builder()
            .Decorate<ITrainer>(t => new NamedTrainer(t, "inner", calls))
            .Decorate<ITrainer>(t => new NamedTrainer(t, "outer", calls))
            .Decorate<IPromotionGate>(g => new CountingGate(g, calls))
            .Build();

        var result = await pipeline.RunAsync();

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.Equal(["outer", "inner", "gate"], calls);
    }

    [Fact]
    public async Task Run_StagesJournaledInTheOrderOfRetrainingStage()
    {
        var fixture = new PipelineFixture();
        var result = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "order" });

        var stages = (await fixture.JournalAsync("order")).Select(e => e.Stage).ToArray();

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.Equal(stages.Order(), stages);
        Assert.Equal([RetrainingStage.Queued, RetrainingStage.Ingesting, RetrainingStage.Validating, RetrainingStage.Training, RetrainingStage.Evaluating, RetrainingStage.Gating, RetrainingStage.Registering, RetrainingStage.Promoting], stages.Distinct());
    }

    [Fact]
    public void Build_GateOnAMetricTheEvaluatorNeverReports_IsRefusedNamingTheMetricAndWhatIsReported()
    {
        var fixture = new PipelineFixture();
        var evaluator = new DeclaringEvaluator(fixture.Evaluator, [MetricNames.Auc, MetricNames.LogLoss]);

        var error = Assert.Throws<OptionsValidationException>(() => fixture.Builder(g => g.Metric("AUCC").AtLeast(0.7).Custom("human check", _ => null!))
            .UseEvaluator(evaluator).Build());
        var decorated = fixture.Builder(g => g.Metric(MetricNames.Auc).AtLeast(0.7)).UseEvaluator(evaluator).Decorate<IEvaluator>(e => new PassThroughEvaluator(e));

        Assert.Contains(error.Failures, f => f.Contains("judges 'AUCC', which the evaluator 'fake' never reports; it reports AUC, LogLoss", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, f => f.Contains("human check", StringComparison.Ordinal));
        Assert.NotNull(decorated.Build());
    }

    private sealed class DeclaringEvaluator(IEvaluator inner, string[] metrics) : DelegatingEvaluator(inner), IReportsMetrics
    {
        public override string Name => "fake";

        public IReadOnlyCollection<string> ReportedMetrics => metrics;
    }

    private sealed class PassThroughEvaluator(IEvaluator inner) : DelegatingEvaluator(inner);

    private sealed class VersionsOnlyRegistry(IModelRegistry inner) : DelegatingModelRegistry(inner)
    {
        // Hides the inner registry's journal and approvals, as a versions-only backend would have none.
        public override object? GetService(Type serviceType, object? serviceKey = null)
            => serviceType == typeof(IRunJournal) || serviceType == typeof(IApprovalStore) ? null : base.GetService(serviceType, serviceKey);
    }

    private sealed class NamedTrainer(ITrainer inner, string name, List<string> calls) : DelegatingTrainer(inner)
    {
        public override ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            calls.Add(name);
            return base.TrainAsync(training, context, cancellationToken);
        }
    }

    private sealed class CountingGate(IPromotionGate inner, List<string> calls) : DelegatingPromotionGate(inner)
    {
        public override ValueTask<PromotionDecision> DecideAsync(EvaluationReport report, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            calls.Add("gate");
            return base.DecideAsync(report, context, cancellationToken);
        }
    }
}
