using Microsoft.ML;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Serving.Tests;

/// <summary>Flights-2001 rows as the quick start's model reads them, and models trained on windows of them.</summary>
internal static class FlightRows
{
    public static readonly CsvDataSource Source = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());

    public static readonly RetrainingContext Context = new("flight-delays", "serving-tests", TimeProvider.System);

    public static async Task<(DatasetSnapshot Data, ModelArtifact Model)> TrainAsync(DateTime from, DateTime to)
    {
        var data = await Source.Between(from, to).LoadAsync(Context);
        var ml = new MLContext(1);
        var model = FlightDelays.Estimator(ml).Fit(data.Data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Data.Schema, stream);
        return (data, new ModelArtifact("mlnet", "model.zip", stream.ToArray()));
    }

    public static async Task<FlightRow[]> LoadAsync(DateTime from, DateTime to)
    {
        var data = await Source.Between(from, to).LoadAsync(Context);
        return [.. new MLContext(0).Data.CreateEnumerable<FlightRow>(data.Data, reuseRowObject: false)];
    }
}
