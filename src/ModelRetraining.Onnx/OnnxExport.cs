using Microsoft.ML;

namespace ModelRetraining.Onnx;

/// <summary>Exports ML.NET models to ONNX.</summary>
public static class OnnxExport
{
    /// <summary>The attachment name under which an exported model is stored with its version.</summary>
    public const string Attachment = "model.onnx";

    /// <summary>
    /// Converts an ML.NET model to ONNX for scoring. The graph's inputs are the data's columns without the
    /// label (exported with the label, ONNX Runtime refuses the graph) and without date-time columns.
    /// </summary>
    /// <param name="model">The ML.NET model (its zip).</param>
    /// <param name="data">Data with the training schema (only its schema is used).</param>
    /// <returns>The ONNX model.</returns>
    /// <exception cref="NotSupportedException">A transform of the model has no ONNX conversion; the message gives ML.NET's reason and the model's transforms.</exception>
    public static ModelArtifact FromMLNet(ModelArtifact model, DatasetSnapshot data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var ml = new MLContext(seed: 0);
        ITransformer transformer;
        using (var stream = new MemoryStream(model.Content.ToArray(), writable: false))
        {
            transformer = ml.Model.Load(stream, out _);
        }

        // Scoring-only inputs: no label, and no date-time columns (ONNX has no such type; a time column
        // orders and windows the data, it is not a feature).
        var input = new ScoringSchemaView(
            data.Data.Schema,
            c => c.Name != data.Schema.LabelColumn && c.Type.RawType != typeof(DateTime) && c.Type.RawType != typeof(DateTimeOffset) && c.Type.RawType != typeof(TimeSpan));

        using var onnx = new MemoryStream();
        try
        {
            ml.Model.ConvertToOnnx(transformer, input, onnx);
        }
        catch (Exception ex) when (ex is NotSupportedException or NotImplementedException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            throw new NotSupportedException($"The ML.NET model cannot be exported to ONNX: {ex.Message} (its transforms: {Chain(transformer)}).", ex);
        }

        return new ModelArtifact("onnx", Attachment, onnx.ToArray());
    }

    // The chain's transforms by type, so that a refusal can be traced to one of them.
    private static string Chain(ITransformer transformer)
        => transformer is IEnumerable<ITransformer> many ? string.Join(" → ", many.Select(t => t.GetType().Name)) : transformer.GetType().Name;
}
