using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Human approval for <see cref="RetrainingPipelineBuilder"/>.</summary>
public static class ApprovalPipelineBuilderExtensions
{
    /// <summary>Sets how approvals asked for by gates are run: quorum, deadline, escalation, four-eyes.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the policy.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder UseApprovalPolicy(this RetrainingPipelineBuilder builder, Action<ApprovalPolicy> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.ThrowIfBuilt();
        var policy = new ApprovalPolicy();
        configure(policy);
        RetrainingPipelineBuilder.ThrowIfInvalid(nameof(ApprovalPolicy), typeof(ApprovalPolicy), policy.Validate());
        builder.Approval = policy;
        return builder;
    }
}
