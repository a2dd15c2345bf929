using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelRetraining.Hosting;

namespace ModelRetraining.Hosting.Tests;

/// <summary>Bad cluster settings are refused where they are given, each named, before anything connects.</summary>
public class ClusterOptionsTests
{
    [Fact]
    public void UsePostgreSqlJobStore_BadOptions_AreAllListedInOneError()
    {
        var services = new ServiceCollection();
        var error = Assert.Throws<OptionsValidationException>(() => services.AddModelRetraining().UsePostgreSqlJobStore("Host=127.0.0.1;Port=notaport", o =>
        {
            o.TablePrefix = "qrtz_; DROP TABLE x";
            o.CheckinInterval = TimeSpan.FromSeconds(10);
            o.CheckinMisfireThreshold = TimeSpan.FromSeconds(2);
            o.ClusterName = " ";
            o.Capabilities.Add("gpu,cpu");
            o.Capabilities.Add("_");
        }));

        Assert.Contains("TablePrefix 'qrtz_; DROP TABLE x' is not a table prefix", error.Message, StringComparison.Ordinal);
        Assert.Contains("CheckinMisfireThreshold (00:00:02) must be at least CheckinInterval (00:00:10)", error.Message, StringComparison.Ordinal);
        Assert.Contains("ClusterName must be 1 to 120 characters", error.Message, StringComparison.Ordinal);
        Assert.Contains("Capabilities: 'gpu,cpu' is not a capability name", error.Message, StringComparison.Ordinal);
        Assert.Contains("Capabilities: '_' is not a capability name", error.Message, StringComparison.Ordinal);
        Assert.Contains("The connection string is not valid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(services, d => d.ServiceType.FullName?.StartsWith("Quartz.", StringComparison.Ordinal) == true); // nothing registered
    }

    [Fact]
    public void UsePostgreSqlJobStore_NonPositiveCheckin_IsRefused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddModelRetraining().UsePostgreSqlJobStore("Host=127.0.0.1", o => o.CheckinInterval = TimeSpan.Zero));
        Assert.Contains("CheckinInterval must be positive", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpu cluster")]
    [InlineData("*")]
    [InlineData("<script>")]
    public void RequireCapability_BadName_IsRefusedNamingThePipeline(string capability)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddModelRetraining().RequireCapability("vision", capability));
        Assert.Contains(capability.Length == 0 ? "capability" : "RequireCapability(\"vision\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSqlJobStoreOptions_Defaults_AreValid() => Assert.Empty(new PostgreSqlJobStoreOptions().Validate());
}
