using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace ModelRetraining.MLNet;

/// <summary>Adds ML.NET training and evaluation to a <see cref="RetrainingPipelineBuilder"/>.</summary>
public static class MLNetPipelineBuilderExtensions
{
    /// <summary>Trains with an ML.NET estimator built fresh for every run from <paramref name="estimator"/>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="estimator">Builds the estimator (featurization and trainer) from the run's seeded <see cref="MLContext"/>.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The pipeline builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder AddMLNetTraining(this RetrainingPipelineBuilder builder, Func<MLContext, IEstimator<ITransformer>> estimator, Action<MLNetTrainingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(estimator);
        var options = new MLNetTrainingOptions();
        configure?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(MLNetTrainingOptions), typeof(MLNetTrainingOptions), errors);
        }

        return builder.UseTrainer(new MLNetTrainer(estimator, options));
    }

    /// <summary>Evaluates the candidate and the champion with ML.NET's metrics for <paramref name="task"/>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="task">The learning task.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The pipeline builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder AddMLNetEvaluation(this RetrainingPipelineBuilder builder, MLTask task, Action<MLNetEvaluationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new MLNetEvaluationOptions();
        configure?.Invoke(options);
        var errors = options.Validate(task);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(MLNetEvaluationOptions), typeof(MLNetEvaluationOptions), errors);
        }

        return builder.UseEvaluator(new MLNetEvaluator(task, options));
    }

    /// <summary>
    /// Adds infra validation on ML.NET before the gates: the candidate's artifact is loaded from its bytes as
    /// the model server loads it, scores a sample of the holdout that must match the evaluation's scores
    /// (1e-5 by default), and meets the latency and memory budgets given. Latency is timed one row at a
    /// time through ML.NET's row mapping (what a prediction engine runs). A failure rejects the run with the numbers.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="task">The learning task: which output is compared (probability, score, or predicted class).</param>
    /// <param name="configure">Sets the sample, tolerance and budgets.</param>
    /// <returns>The pipeline builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder AddMLNetInfraValidation(this RetrainingPipelineBuilder builder, MLTask task, Action<InfraValidationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new InfraValidationOptions();
        configure?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(InfraValidationOptions), typeof(InfraValidationOptions), errors);
        }

        return builder.AddInfraValidation(new MLNetInfraValidator(task, options));
    }
}
