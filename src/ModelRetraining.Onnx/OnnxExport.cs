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

        var bytes = onnx.ToArray();
        RefuseWhatOnnxRuntimeRefuses(bytes, transformer);
        return new ModelArtifact("onnx", Attachment, bytes);
    }

    // The converter can write graphs ONNX Runtime will not load (a LightGBM tree that is a single leaf
    // becomes a branch on feature -1, for one): fail at export, not at serving. Skipped when the host has
    // no native ONNX Runtime, since then nothing here can load the model either way.
    private static void RefuseWhatOnnxRuntimeRefuses(byte[] bytes, ITransformer transformer)
    {
        try
        {
            using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { LogSeverityLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(bytes, options);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException ex)
        {
            throw new NotSupportedException($"The ML.NET model was converted to ONNX, but ONNX Runtime refuses the graph: {FirstLine(ex.Message)} (its transforms: {Chain(transformer)}).", ex);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
        }
    }

    // ONNX Runtime's message carries a C++ signature with its template arguments; keep the head and the reason.
    private static string FirstLine(string message)
    {
        var source = message.IndexOf("/onnxruntime_src", StringComparison.Ordinal);
        var reason = message.LastIndexOf(">] ", StringComparison.Ordinal);
        return source > 0 && reason > source ? $"{message[..source]}{message[(reason + 3)..]}" : message;
    }

    // The chain's transforms by type, so that a refusal can be traced to one of them.
    private static string Chain(ITransformer transformer)
        => transformer is IEnumerable<ITransformer> many ? string.Join(" → ", many.Select(t => t.GetType().Name)) : transformer.GetType().Name;
}
