using Microsoft.Extensions.DependencyInjection;
using ModelRetraining;
using ModelRetraining.MLNet;

namespace QuickStart;

/// <summary>The same pipeline registered in a host's service collection, resolved by name.</summary>
public static class DependencyInjectionExample
{
    /// <summary>Builds a service provider with the flight-delay pipeline registered.</summary>
    /// <param name="registryFolder">The embedded registry's folder.</param>
    /// <param name="dataFile">The flights CSV.</param>
    /// <returns>The provider; dispose it.</returns>
    public static ServiceProvider Build(string registryFolder, string dataFile)
    {
        // <snippet:di>
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddModelRetraining()
            .UseEmbeddedRegistry(registryFolder)
            .AddPipeline("flight-delays", (pipeline, sp) =>
            {
                var flights = CsvDataSource.FromFile(dataFile, FlightDelays.Schema());
                pipeline
                    .UseTrainingData(flights.Between(new DateTime(2001, 3, 1), new DateTime(2001, 6, 1)))
                    .UseHoldoutData(flights.Between(new DateTime(2001, 6, 1), new DateTime(2001, 7, 1)))
                    .AddMLNetTraining(FlightDelays.Estimator)
                    .AddMLNetEvaluation(MLTask.BinaryClassification)
                    .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.55).NoWorseThanChampion("AUC", margin: 0.005));
            });
        var provider = services.BuildServiceProvider();

        // Anywhere in the host: the pipeline is a keyed singleton, checked when the host starts.
        var retraining = provider.GetRequiredKeyedService<RetrainingPipeline>("flight-delays");
        // </snippet:di>
        _ = retraining;
        return provider;
    }
}
