using Microsoft.Extensions.Options;

namespace ModelRetraining.PostgreSql;

/// <summary>Reports every problem of the registry's options at host start, by name.</summary>
internal sealed class PostgreSqlRegistryOptionsValidator : IValidateOptions<PostgreSqlRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlRegistryOptions options)
    {
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
