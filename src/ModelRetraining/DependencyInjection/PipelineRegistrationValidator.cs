using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Builds each pipeline at host start so that configuration mistakes stop the host with every problem listed.</summary>
internal sealed class PipelineRegistrationValidator(IServiceProvider services) : IValidateOptions<PipelineRegistration>
{
    public ValidateOptionsResult Validate(string? name, PipelineRegistration options)
    {
        if (string.IsNullOrEmpty(name) || options.Configure is null)
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            // Built once, here at host start, and kept: resolving the pipeline later returns this one.
            services.GetRequiredService<PipelineCatalog>().BuildOnce(name, options);
            return ValidateOptionsResult.Success;
        }
        catch (OptionsValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Failures.Select(f => $"Pipeline '{name}': {f}"));
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"Pipeline '{name}': {ex.Message}");
        }
    }
}
