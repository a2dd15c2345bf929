using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>
/// Composes a retraining pipeline: data, validation, training, evaluation, gates and registry. Each
/// <c>AddX</c>/<c>UseX</c> checks its own settings at once; <see cref="Build"/> checks that the stages fit
/// together and returns an immutable <see cref="RetrainingPipeline"/>. The builder cannot be used after that.
/// </summary>
public sealed class RetrainingPipelineBuilder
{
    private readonly List<IDataValidator> _validators = [];
    private readonly List<IPromotionGate> _gates = [];
    private readonly List<IInfraValidator> _infraValidators = [];
    private readonly List<SliceDefinition> _slices = [];
    private long _minSliceRows = 100;
    private ApprovalPolicy _approvalPolicy = new();
    private RetrainingResilienceOptions? _resilience;
    private readonly RetrainingPipelineOptions _options = new();
    private IDataSource? _training;
    private IDataSource? _holdout;
    private ITrainer? _trainer;
    private IEvaluator? _evaluator;
    private IModelRegistry? _registry;
    private string? _modelName;
    private string _actor = "system";
    private TimeProvider _timeProvider = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private bool _built;

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
        ThrowIfBuilt();
        _validators.Add(validator);
        return this;
    }

    /// <summary>Adds the schema check: columns, types, row count and label.</summary>
    /// <param name="expected">The schema the data must have.</param>
    /// <param name="configure">Adjusts the other options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public RetrainingPipelineBuilder AddSchemaValidation(DataSchema expected, Action<SchemaValidationOptions>? configure = null)
    {
        var options = new SchemaValidationOptions { Expected = expected };
        configure?.Invoke(options);
        ThrowIfInvalid(nameof(SchemaValidationOptions), typeof(SchemaValidationOptions), options.Validate());
        return AddValidator(new SchemaValidator(options));
    }

    /// <summary>
    /// Adds the drift check: each data set is compared with the champion's stored training-data profile;
    /// drifted columns and data-set drift are reported as issues, logged, counted, written as reports and
    /// passed to <see cref="DriftDetectionOptions.OnDrift"/>. The first run has no reference and says so.
    /// </summary>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public RetrainingPipelineBuilder AddDriftDetection(Action<DriftDetectionOptions>? configure = null)
    {
        var options = new DriftDetectionOptions();
        configure?.Invoke(options);
        ThrowIfInvalid(nameof(DriftDetectionOptions), typeof(DriftDetectionOptions), options.Validate());
        return AddValidator(new DriftValidator(options, _loggerFactory.CreateLogger<DriftValidator>()));
    }

    /// <summary>Adds data-quality rules (completeness, uniqueness, allowed values, ranges, regex, row counts, statistics, custom predicates), each blocking, warning or quarantining.</summary>
    /// <param name="configure">Composes the rules.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="OptionsValidationException">A rule is invalid; the message lists every problem.</exception>
    public RetrainingPipelineBuilder AddDataQuality(Action<DataQualityBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var quality = new DataQualityBuilder();
        configure(quality);
        ThrowIfInvalid(nameof(DataQualityBuilder), typeof(DataQualityBuilder), quality.Validate());
        return AddValidator(new DataQualityValidator(quality.Rules.ToArray(), quality.ReportFolder));
    }

    /// <summary>
    /// Adds the check of new data against the schema inferred from the champion's training data (stored with
    /// every version as <c>schema.json</c>): missing, extra and retyped columns, values the champion never saw
    /// (share of rows), values outside its range, new missing values, and the label per environment.
    /// </summary>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public RetrainingPipelineBuilder AddChampionSchemaValidation(Action<ChampionSchemaOptions>? configure = null)
    {
        var options = new ChampionSchemaOptions();
        configure?.Invoke(options);
        ThrowIfInvalid(nameof(ChampionSchemaOptions), typeof(ChampionSchemaOptions), options.Validate());
        return AddValidator(new ChampionSchemaValidator(options));
    }

    /// <summary>Evaluates both models per value of a holdout column too (from their per-row outputs), for reports and slice gates.</summary>
    /// <param name="column">The column.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder SliceEvaluationBy(string column)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        ThrowIfBuilt();
        _slices.Add(new SliceDefinition(column, column, null));
        return this;
    }

    /// <summary>Evaluates both models on the holdout rows that match a predicate too.</summary>
    /// <param name="name">The slice's name.</param>
    /// <param name="predicate">Which rows belong to it.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder SliceEvaluationBy(string name, Func<QualityRow, bool> predicate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(predicate);
        ThrowIfBuilt();
        _slices.Add(new SliceDefinition(name, null, predicate));
        return this;
    }

    /// <summary>Sets the fewest holdout rows a slice needs to be judged by gates; smaller slices are reported but not judged.</summary>
    /// <param name="rows">The minimum, 1 or more.</param>
    /// <returns>This builder.</returns>
    /// <value>The default value is 100.</value>
    public RetrainingPipelineBuilder MinSliceRows(long rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ThrowIfBuilt();
        _minSliceRows = rows;
        return this;
    }

    /// <summary>Wraps the data sources and the registry in resilience pipelines (retry with jitter, attempt timeout, circuit breaker; non-idempotent registry writes get a timeout only).</summary>
    /// <param name="configure">Adjusts the standard preset or supplies your own pipelines.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message lists every problem.</exception>
    public RetrainingPipelineBuilder UseResilience(Action<RetrainingResilienceOptions>? configure = null)
    {
        ThrowIfBuilt();
        var options = new RetrainingResilienceOptions();
        configure?.Invoke(options);
        ThrowIfInvalid(nameof(RetrainingResilienceOptions), typeof(RetrainingResilienceOptions), options.Validate());
        _resilience = options;
        return this;
    }

    /// <summary>Sets how approvals asked for by gates are run: quorum, deadline, escalation, four-eyes.</summary>
    /// <param name="configure">Adjusts the policy.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message lists every problem.</exception>
    public RetrainingPipelineBuilder UseApprovalPolicy(Action<ApprovalPolicy> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ThrowIfBuilt();
        var policy = new ApprovalPolicy();
        configure(policy);
        ThrowIfInvalid(nameof(ApprovalPolicy), typeof(ApprovalPolicy), policy.Validate());
        _approvalPolicy = policy;
        return this;
    }

    /// <summary>Sets the trainer.</summary>
    /// <param name="trainer">The trainer.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseTrainer(ITrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ThrowIfBuilt();
        _trainer = trainer;
        return this;
    }

    /// <summary>Wraps the trainer set so far (to export its model to another format after training, say).</summary>
    /// <param name="decorate">Receives the current trainer and returns the one to use.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">No trainer is set yet.</exception>
    public RetrainingPipelineBuilder DecorateTrainer(Func<ITrainer, ITrainer> decorate)
    {
        ArgumentNullException.ThrowIfNull(decorate);
        ThrowIfBuilt();
        _trainer = decorate(_trainer ?? throw new InvalidOperationException("Set a trainer (UseTrainer, AddMLNetTraining) before decorating it."));
        return this;
    }

    /// <summary>Sets the evaluator.</summary>
    /// <param name="evaluator">The evaluator.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseEvaluator(IEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ThrowIfBuilt();
        _evaluator = evaluator;
        return this;
    }

    /// <summary>Adds an infra validation: after evaluation and before the gates, the candidate is loaded and run as serving will run it; a failure rejects the run with the numbers.</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder AddInfraValidation(IInfraValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        ThrowIfBuilt();
        _infraValidators.Add(validator);
        return this;
    }

    /// <summary>Adds a promotion gate; every gate must approve.</summary>
    /// <param name="gate">The gate.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder AddPromotionGate(IPromotionGate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ThrowIfBuilt();
        _gates.Add(gate);
        return this;
    }

    /// <summary>Adds a gate of thresholds and champion comparisons.</summary>
    /// <param name="configure">Composes the criteria.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="OptionsValidationException">A criterion is invalid; the message lists every problem.</exception>
    public RetrainingPipelineBuilder AddPromotionGate(Action<PromotionGateBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var gate = new PromotionGateBuilder();
        configure(gate);
        ThrowIfInvalid(gate.Name, typeof(PromotionGateBuilder), gate.Validate());
        return AddPromotionGate(gate.Build());
    }

    /// <summary>Sets the registry that keeps versions, aliases, audit events and the run journal.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>This builder.</returns>
    public RetrainingPipelineBuilder UseRegistry(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ThrowIfBuilt();
        _registry = registry;
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

    /// <summary>Checks that the stages fit together and returns the immutable pipeline.</summary>
    /// <returns>The pipeline.</returns>
    /// <exception cref="OptionsValidationException">Something is missing or inconsistent; the message lists every problem.</exception>
    public RetrainingPipeline Build()
    {
        ThrowIfBuilt();
        var errors = new List<string>();
        if (_modelName is null)
        {
            errors.Add("ModelName is not set.");
        }

        if (_training is null)
        {
            errors.Add("No training data: call UseTrainingData(...).");
        }

        if (_holdout is null)
        {
            errors.Add("No holdout data: call UseHoldoutData(...); the candidate and the champion are scored on it.");
        }
        else if (_training is not null && ReferenceEquals(_training, _holdout))
        {
            errors.Add("The training data and the holdout are the same source: evaluate on rows the model has not seen.");
        }

        if (_trainer is null)
        {
            errors.Add("No trainer: call UseTrainer(...) or an adapter's AddXxxTraining(...).");
        }

        if (_evaluator is null)
        {
            errors.Add("No evaluator: call UseEvaluator(...) or an adapter's AddXxxEvaluation(...).");
        }

        if (_gates.Count == 0)
        {
            errors.Add("No promotion gate: add one with AddPromotionGate(...); nothing is promoted without a decision.");
        }

        if (_registry is null)
        {
            errors.Add("No registry: call UseRegistry(ModelRegistry.Embedded(\"models\")) or another registry.");
        }

        ThrowIfInvalid(_modelName ?? "pipeline", typeof(RetrainingPipeline), errors);
        _built = true;
        if (_resilience is { } resilience)
        {
            var data = resilience.DataSource ?? resilience.Standard(retry: true);
            _training = new ResilientDataSource(_training!, data);
            _holdout = new ResilientDataSource(_holdout!, data);
            _registry = new ResilientModelRegistry(_registry!, resilience.RegistryReads ?? resilience.Standard(retry: true), resilience.RegistryWrites ?? resilience.Standard(retry: false));
        }

        return new RetrainingPipeline(
            _modelName!,
            _training!,
            _holdout!,
            _validators.ToArray(),
            _trainer!,
            _evaluator!,
            _gates.ToArray(),
            _infraValidators.ToArray(),
            _registry!,
            _options.Clone(),
            _slices.ToArray(),
            _minSliceRows,
            _approvalPolicy,
            _actor,
            _timeProvider,
            _loggerFactory.CreateLogger<RetrainingPipeline>());
    }

    private static void ThrowIfInvalid(string name, Type type, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(name, type, errors);
        }
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This builder already built its pipeline; a pipeline is immutable. Start a new RetrainingPipelineBuilder.");
        }
    }
}
