using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.MLNet;

/// <summary>Exports ML.NET models to ONNX.</summary>
public static class OnnxExport
{
    private static readonly string[] ClassNameAnnotations = ["TrainingLabelValues", "SlotNames"];

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
        Func<DataViewSchema.Column, bool> scoring = c => c.Name != data.Schema.LabelColumn && c.Type.RawType != typeof(DateTime) && c.Type.RawType != typeof(DateTimeOffset) && c.Type.RawType != typeof(TimeSpan);
        var input = new ScoringSchemaView(data.Data.Schema, scoring);

        using var onnx = new MemoryStream();
        try
        {
            var exported = WithoutLabelTransforms(transformer, data.Data.Schema, input.Schema);
            var used = UsedInputs(exported, input.Schema);
            input = new ScoringSchemaView(data.Data.Schema, c => scoring(c) && (used is null || used.Contains(c.Name)));
            ml.Model.ConvertToOnnx(exported, input, onnx);
        }
        catch (Exception ex) when (ex is NotSupportedException or NotImplementedException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            throw new NotSupportedException($"The ML.NET model cannot be exported to ONNX: {ex.Message} (its transforms: {Chain(transformer)}).", ex);
        }

        var bytes = WithMetadata(onnx.ToArray(), OnnxArtifacts.ClassLabelsMetadataKey, ClassLabelsOf(transformer, data.Data.Schema));
        RefuseWhatOnnxRuntimeRefuses(bytes, transformer);
        return new ModelArtifact(ArtifactFlavors.Onnx, AttachmentNames.Onnx, bytes);
    }

    // The class names of a multiclass model, in the order of its score vector (the Score column's slot
    // names: text, or the label's own values when it was numeric), written as invariant text.
    private static string? ClassLabelsOf(ITransformer transformer, DataViewSchema training)
    {
        var score = transformer.GetOutputSchema(training).GetColumnOrNull("Score");
        if (score is not { Type: VectorDataViewType { Size: > 1 } } column)
        {
            return null;
        }

        var names = SlotNames(column).ToArray();
        return names.Length == 0 ? null : System.Text.Json.JsonSerializer.Serialize(names);
    }

    internal static IEnumerable<string> SlotNames(DataViewSchema.Column column)
    {
        // A multiclass score keeps the label's key values as TrainingLabelValues; SlotNames when they were text.
        var annotations = column.Annotations;
        var kind = ClassNameAnnotations.FirstOrDefault(k => annotations.Schema.GetColumnOrNull(k) is not null);
        if (kind is null)
        {
            return [];
        }

        return (annotations.Schema[kind].Type as VectorDataViewType)?.ItemType.RawType switch
        {
            { } t when t == typeof(ReadOnlyMemory<char>) => Read<ReadOnlyMemory<char>>(v => v.ToString()),
            { } t when t == typeof(float) => Read<float>(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            { } t when t == typeof(double) => Read<double>(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            { } t when t == typeof(uint) => Read<uint>(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            { } t when t == typeof(int) => Read<int>(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            { } t when t == typeof(long) => Read<long>(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            { } t when t == typeof(bool) => Read<bool>(v => v.ToString()),
            _ => [],
        };

        IEnumerable<string> Read<T>(Func<T, string> text)
        {
            VBuffer<T> values = default;
            annotations.GetValue(kind, ref values);
            return values.DenseValues().Select(text).ToArray();
        }
    }

    // Appends one metadata_props entry (ModelProto field 14: a StringStringEntryProto of key = 1, value = 2)
    // to the serialized model: protobuf readers merge fields in any order, so the graph is left untouched.
    private static byte[] WithMetadata(byte[] model, string key, string? value)
    {
        if (value is null)
        {
            return model;
        }

        var entry = new MemoryStream();
        WriteField(entry, 1, System.Text.Encoding.UTF8.GetBytes(key));
        WriteField(entry, 2, System.Text.Encoding.UTF8.GetBytes(value));
        var result = new MemoryStream(model.Length + (int)entry.Length + 8);
        result.Write(model);
        WriteField(result, 14, entry.ToArray());
        return result.ToArray();

        static void WriteField(MemoryStream stream, int field, byte[] payload)
        {
            WriteVarint(stream, (ulong)((field << 3) | 2));
            WriteVarint(stream, (ulong)payload.Length);
            stream.Write(payload);
        }

        static void WriteVarint(MemoryStream stream, ulong value)
        {
            while (value >= 0x80)
            {
                stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            stream.WriteByte((byte)value);
        }
    }

    // The input columns the model's outputs depend on: a column the model never reads (the delay a label
    // was derived from, say) is left out of the graph's inputs, so that callers need not feed it.
    private static HashSet<string>? UsedInputs(ITransformer transformer, DataViewSchema input)
    {
        try
        {
            var mapper = transformer.GetRowToRowMapper(input);
            var inputs = input.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var produced = mapper.OutputSchema.Where(c => !c.IsHidden && !inputs.Contains(c.Name)).ToArray();
            return mapper.GetDependencies(produced).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return null; // not a row-to-row chain: keep every scoring column
        }
    }

    // A multiclass chain starts by keying the label (MapValueToKey): at scoring there is no label, so the
    // transforms that read only label-derived columns are left out of the exported graph. The predicted
    // key still carries the class names, kept with the trained predictor.
    private static ITransformer WithoutLabelTransforms(ITransformer transformer, DataViewSchema training, DataViewSchema scoring)
    {
        if (transformer is not TransformerChain<ITransformer> chain)
        {
            return transformer;
        }

        var kept = new List<ITransformer>();
        var (trainingSchema, scoringSchema) = (training, scoring);
        foreach (var step in chain)
        {
            trainingSchema = step.GetOutputSchema(trainingSchema);
            try
            {
                scoringSchema = step.GetOutputSchema(scoringSchema);
                kept.Add(step);
            }
            catch (ArgumentOutOfRangeException ex) when (step is not IPredictionTransformer<object>)
            {
                // Reads a column the scoring input lacks (the label, or one made from it): not needed to score.
                _ = ex;
            }
        }

        return kept.Count == chain.Count() ? transformer : new TransformerChain<ITransformer>([.. kept]);
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
