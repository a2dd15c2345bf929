using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>
/// Composes a retraining pipeline: data, validation, training, evaluation, gates and registry. Each
/// <c>AddX</c>/<c>UseX</c> checks its own settings at once; <see cref="Build"/> checks that the stages fit
/// together and returns an immutable <see cref="RetrainingPipeline"/>. The builder cannot be used after that.
/// </summary>
public sealed partial class RetrainingPipelineBuilder
{
    private readonly List<Func<RetrainingBuildContext, IDataValidator>> _validators = [];
    private readonly List<Func<RetrainingBuildContext, IPromotionGate>> _gates = [];
    private readonly List<Func<RetrainingBuildContext, IInfraValidator>> _infraValidators = [];
    private readonly List<(Type Component, Func<object, object> Decorate)> _decorators = [];

    private readonly RetrainingPipelineOptions _options = new();
    private IDataSource? _training;
    private IDataSource? _holdout;
    private Func<RetrainingBuildContext, ITrainer>? _trainer;
    private Func<RetrainingBuildContext, IEvaluator>? _evaluator;
    private IModelRegistry? _registry;
    private IRunJournal? _journal;
    private IApprovalStore? _approvals;
    private RunMonitor? _monitor;
    private string? _modelName;
    private string _actor = "system";
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private bool _built;

    private static readonly Type[] DecoratableKinds =
    [
        typeof(IDataSource), typeof(IDataValidator), typeof(ITrainer), typeof(IEvaluator), typeof(IInfraValidator),
        typeof(IPromotionGate), typeof(IModelRegistry), typeof(IRunJournal), typeof(IApprovalStore),
    ];

    /// <summary>Gets or sets the registered model the pipeline retrains.</summary>
    public string? ModelName
    {
        get => _modelName;
        set
        {
            ThrowIfBuilt();
            RegistryNames.ThrowIfInvalid(value, "model name", nameof(value));
            _modelName = value;
        }
    }

    /// <summary>Gets or sets the identity runs act as unless a run names another.</summary>
    /// <value>The default value is <c>system</c>.</value>
    public string Actor
    {
        get => _actor;
        set
        {
            ThrowIfBuilt();
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _actor = value;
        }
    }

    /// <summary>Gets or sets the clock.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set
        {
            ThrowIfBuilt();
            ArgumentNullException.ThrowIfNull(value);
            _timeProvider = value;
        }
    }

    /// <summary>Gets or sets the logger factory.</summary>
    /// <value>The default value is <see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory
    {
        get => _loggerFactory;
        set
        {
            ThrowIfBuilt();
            ArgumentNullException.ThrowIfNull(value);
            _loggerFactory = value;
        }
    }

    /// <summary>Gets the registry set so far, so that adapters can reach it while composing.</summary>
    public IModelRegistry? Registry => _registry;

    /// <summary>Sets the data the candidate is trained on.</summary>
    /// <param name="source">The source.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseTrainingData(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfBuilt();
        _training = source;
        return this;
    }

    /// <summary>Sets the holdout both the candidate and the champion are scored on.</summary>
    /// <param name="source">The source.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseHoldoutData(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfBuilt();
        _holdout = source;
        return this;
    }

    /// <summary>Adds a data validator; all validators run, in order, before training.</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder AddValidator(IDataValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        return AddValidator(_ => validator);
    }

    /// <summary>Adds a data validator created when the pipeline is built (from the logger factory and clock set by then).</summary>
    /// <param name="factory">Creates the validator.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder AddValidator(Func<RetrainingBuildContext, IDataValidator> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ThrowIfBuilt();
        _validators.Add(factory);
        return this;
    }

    /// <summary>Sets the trainer.</summary>
    /// <param name="trainer">The trainer.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseTrainer(ITrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return UseTrainer(_ => trainer);
    }

    /// <summary>Sets the trainer, created when the pipeline is built.</summary>
    /// <param name="factory">Creates the trainer.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseTrainer(Func<RetrainingBuildContext, ITrainer> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ThrowIfBuilt();
        _trainer = factory;
        return this;
    }

    /// <summary>Wraps the trainer (to export its model to another format after training, say); the same as <see cref="Decorate{TComponent}"/> of <see cref="ITrainer"/>.</summary>
    /// <param name="decorate">Receives the trainer and returns the one to use.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder DecorateTrainer(Func<ITrainer, ITrainer> decorate) => Decorate(decorate);

    /// <summary>
    /// Wraps every component of a kind when the pipeline is built, in the order decorators were added (the
    /// last added is outermost): <see cref="IDataSource"/> (training and holdout), <see cref="IDataValidator"/>,
    /// <see cref="ITrainer"/>, <see cref="IEvaluator"/>, <see cref="IInfraValidator"/>, <see cref="IPromotionGate"/>,
    /// <see cref="IModelRegistry"/>, <see cref="IRunJournal"/> or <see cref="IApprovalStore"/>. Derive the decorator
    /// from the contract's <c>Delegating*</c> base so that capabilities of the inner component survive.
    /// </summary>
    /// <typeparam name="TComponent">The kind of component.</typeparam>
    /// <param name="decorate">Receives a component and returns the one to use.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="TComponent"/> is not one of the kinds above.</exception>
    public RetrainingPipelineBuilder Decorate<TComponent>(Func<TComponent, TComponent> decorate)
        where TComponent : class, ICapabilityProvider
    {
        ArgumentNullException.ThrowIfNull(decorate);
        ThrowIfBuilt();
        if (!DecoratableKinds.Contains(typeof(TComponent)))
        {
            throw new ArgumentException($"{typeof(TComponent).Name} is not a kind of pipeline component; decorate one of {string.Join(", ", DecoratableKinds.Select(k => k.Name))}.", nameof(decorate));
        }

        _decorators.Add((typeof(TComponent), component => decorate((TComponent)component)));
        return this;
    }

    /// <summary>Sets the evaluator.</summary>
    /// <param name="evaluator">The evaluator.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseEvaluator(IEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        return UseEvaluator(_ => evaluator);
    }

    /// <summary>Sets the evaluator, created when the pipeline is built.</summary>
    /// <param name="factory">Creates the evaluator.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseEvaluator(Func<RetrainingBuildContext, IEvaluator> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ThrowIfBuilt();
        _evaluator = factory;
        return this;
    }

    /// <summary>Adds an infra validation: after evaluation and before the gates, the candidate is loaded and run as serving will run it; a failure rejects the run with the numbers.</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder AddInfraValidation(IInfraValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        return AddInfraValidation(_ => validator);
    }

    /// <summary>Adds an infra validation created when the pipeline is built.</summary>
    /// <param name="factory">Creates the validator.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder AddInfraValidation(Func<RetrainingBuildContext, IInfraValidator> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ThrowIfBuilt();
        _infraValidators.Add(factory);
        return this;
    }

    /// <summary>Adds a promotion gate; every gate must approve.</summary>
    /// <param name="gate">The gate.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder AddPromotionGate(IPromotionGate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ThrowIfBuilt();
        _gates.Add(_ => gate);
        return this;
    }

    /// <summary>Sets the registry that keeps versions, aliases, tags, attachments and audit events; unless set separately, the run journal and the approval store are the registry's own (<see cref="ICapabilityProvider.GetService"/>).</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseRegistry(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ThrowIfBuilt();
        _registry = registry;
        return this;
    }

    /// <summary>Sets the run journal, when it is not the registry's own.</summary>
    /// <param name="journal">The journal.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseRunJournal(IRunJournal journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ThrowIfBuilt();
        _journal = journal;
        return this;
    }

    /// <summary>Sets the store of approval requests, when it is not the registry's own.</summary>
    /// <param name="approvals">The store.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseApprovalStore(IApprovalStore approvals)
    {
        ArgumentNullException.ThrowIfNull(approvals);
        ThrowIfBuilt();
        _approvals = approvals;
        return this;
    }

    /// <summary>Sets the monitor the pipeline's runs report their progress to, so a dashboard shows them live with their resources; <c>services.AddModelRetraining()</c> sets the host's own.</summary>
    /// <param name="monitor">The monitor.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseRunMonitor(RunMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ThrowIfBuilt();
        _monitor = monitor;
        return this;
    }

    /// <summary>Adjusts pipeline-wide options.</summary>
    /// <param name="configure">The adjustment.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder Configure(Action<RetrainingPipelineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ThrowIfBuilt();
        configure(_options);
        return this;
    }

    /// <summary>Creates every component from its factory, checks that the stages fit together and returns the immutable pipeline.</summary>
    /// <returns>The pipeline.</returns>
    /// <exception cref="OptionsValidationException">Something is missing or inconsistent; the message lists every problem.</exception>
    public RetrainingPipeline Build()
    {
        ThrowIfBuilt();
        var errors = MissingParts();
        errors.AddRange(_options.Validate().Select(e => $"{nameof(RetrainingPipelineOptions)}.{e}"));
        var journal = _journal ?? _registry?.GetService<IRunJournal>();
        if (_registry is not null && journal is null)
        {
            errors.Add($"No run journal: the registry ({_registry.GetType().Name}) keeps none; call UseRunJournal(...).");
        }

        ThrowIfInvalid(_modelName ?? "pipeline", typeof(RetrainingPipeline), errors);
        // With a monitor, every part's logger also hands the run's lines to it (the dashboard's log tail).
        var loggers = _monitor is null ? _loggerFactory : new MonitoringLoggerFactory(_loggerFactory, _monitor);
        var context = new RetrainingBuildContext(_modelName!, _timeProvider, loggers, _registry!);
        var evaluator = Decorated(_evaluator!(context));
        var gates = _gates.Select(f => Decorated(f(context))).ToArray();
        ThrowIfInvalid(_modelName!, typeof(RetrainingPipeline), UnreportedMetrics(evaluator, gates));
        _built = true;
        var registry = Decorated(_registry!);
        var approvals = _approvals ?? _registry!.GetService<IApprovalStore>();
        var (training, holdout) = (Decorated(_training!), Decorated(_holdout!));
        journal = Decorated(journal!);
        if (Resilience is { } resilience)
        {
            var data = resilience.DataSource ?? resilience.Standard(retry: true);
            var (reads, writes) = (resilience.RegistryReads ?? resilience.Standard(retry: true), resilience.RegistryWrites ?? resilience.Standard(retry: false));
            (training, holdout) = (new ResilientDataSource(training, data), new ResilientDataSource(holdout, data));
            registry = new ResilientModelRegistry(registry, reads, writes);
            journal = new ResilientRunJournal(journal, reads, writes);
        }

        return new RetrainingPipeline(new PipelineDefinition(
            _modelName!,
            training,
            holdout,
            _validators.Select(f => Decorated(f(context))).ToArray(),
            Decorated(_trainer!(context)),
            evaluator,
            _infraValidators.Select(f => Decorated(f(context))).ToArray(),
            gates,
            registry,
            journal,
            approvals is null ? null : Decorated(approvals),
            _options.Clone(),
            Slices.ToArray(),
            MinSliceRowCount,
            Approval,
            _actor,
            _timeProvider,
            loggers.CreateLogger<RetrainingPipeline>())
        {
            Monitor = _monitor,
        });
    }

    internal static void ThrowIfInvalid(string name, Type type, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(name, type, errors);
        }
    }

    // Set by the feature folders' extensions (Gates/, Resilience/, Approval/).
    internal List<SliceDefinition> Slices { get; } = [];

    internal long MinSliceRowCount { get; set; } = 100;

    internal ApprovalPolicy Approval { get; set; } = new();

    internal RetrainingResilienceOptions? Resilience { get; set; }

    internal void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This builder already built its pipeline; a pipeline is immutable. Start a new RetrainingPipelineBuilder.");
        }
    }
}
