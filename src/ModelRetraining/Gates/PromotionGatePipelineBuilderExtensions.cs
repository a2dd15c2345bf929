using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Promotion gates of thresholds, champion comparisons, significance and slices for <see cref="RetrainingPipelineBuilder"/>, and the slices they judge.</summary>
public static class PromotionGatePipelineBuilderExtensions
{
    /// <summary>Adds a gate of thresholds and champion comparisons.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Composes the criteria.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">A criterion is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder AddPromotionGate(this RetrainingPipelineBuilder builder, Action<PromotionGateBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var gate = new PromotionGateBuilder();
        configure(gate);
        RetrainingPipelineBuilder.ThrowIfInvalid(gate.Name, typeof(PromotionGateBuilder), gate.Validate());
        return builder.AddPromotionGate(gate.Build());
    }

    /// <summary>Evaluates both models per value of a holdout column too (from their per-row outputs), for reports and slice gates.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="column">The column.</param>
    /// <returns>The builder.</returns>
    public static RetrainingPipelineBuilder SliceEvaluationBy(this RetrainingPipelineBuilder builder, string column)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        builder.ThrowIfBuilt();
        builder.Slices.Add(new SliceDefinition(column, column, null));
        return builder;
    }

    /// <summary>Evaluates both models on the holdout rows that match a predicate too.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="name">The slice's name.</param>
    /// <param name="predicate">Which rows belong to it.</param>
    /// <returns>The builder.</returns>
    public static RetrainingPipelineBuilder SliceEvaluationBy(this RetrainingPipelineBuilder builder, string name, Func<QualityRow, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(predicate);
        builder.ThrowIfBuilt();
        builder.Slices.Add(new SliceDefinition(name, null, predicate));
        return builder;
    }

    /// <summary>Sets the fewest holdout rows a slice needs to be judged by gates; smaller slices are reported but not judged.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="rows">The minimum, 1 or more.</param>
    /// <returns>The builder.</returns>
    /// <value>The default value is 100.</value>
    public static RetrainingPipelineBuilder MinSliceRows(this RetrainingPipelineBuilder builder, long rows)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        builder.ThrowIfBuilt();
        builder.MinSliceRowCount = rows;
        return builder;
    }
}
