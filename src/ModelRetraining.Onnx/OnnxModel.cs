using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace ModelRetraining.Onnx;

/// <summary>
/// One ONNX model loaded in ONNX Runtime: a session on the first execution provider that loads (CUDA,
/// then CPU, by default), the provider actually used, the graph's inputs checked against the data, and
/// batched scoring. Thread-safe: ONNX Runtime sessions may run concurrently. Dispose it to free the session.
/// </summary>
public sealed partial class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OnnxModelOptions _options;
    private readonly string _scoreOutput;

    private OnnxModel(InferenceSession session, OnnxModelOptions options, OnnxExecutionProvider provider, string name)
    {
        _session = session;
        _options = options;
        ExecutionProvider = provider;
        Name = name;
        Inputs = session.InputMetadata.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        _scoreOutput = PickScoreOutput(session, options.ScoreOutput, name);
        var dimensions = session.OutputMetadata[_scoreOutput].Dimensions;
        ScoreWidth = dimensions.Length < 2 ? 1 : (int)dimensions.Skip(1).Aggregate(1L, (a, d) => a * Math.Max(d, 1));
        ClassLabels = options.ClassLabels.Count > 0
            ? [.. options.ClassLabels]
            : session.ModelMetadata.CustomMetadataMap.TryGetValue(OnnxArtifacts.ClassLabelsMetadataKey, out var embedded)
                ? System.Text.Json.JsonSerializer.Deserialize<string[]>(embedded) ?? []
                : [];
        if (ClassLabels.Count > 0 && ClassLabels.Count != ScoreWidth)
        {
            throw new InvalidDataException($"'{name}' output '{_scoreOutput}' holds {ScoreWidth} values per row, but {ClassLabels.Count} class labels are given ({string.Join(", ", ClassLabels)}).");
        }
    }

    /// <summary>Gets how many values the score output holds per row: 1 for a binary or regression model, the number of classes for a multiclass model.</summary>
    public int ScoreWidth { get; }

    /// <summary>Gets the class labels of a multiclass model in the order of its score vector (from <see cref="OnnxModelOptions.ClassLabels"/>, or embedded by the ML.NET package's <c>OnnxExport.FromMLNet</c>); empty when unknown or not multiclass.</summary>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Gets the name the model was loaded under (its file name or version).</summary>
    public string Name { get; }

    /// <summary>Gets the execution provider the session runs on.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; }

    /// <summary>Gets the graph's inputs by name.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> Inputs { get; }

    /// <summary>Gets the output read as the score.</summary>
    public string ScoreOutput => _scoreOutput;

    /// <summary>Loads a model.</summary>
    /// <param name="artifact">The ONNX bytes.</param>
    /// <param name="options">Providers and batch size; the defaults when <see langword="null"/>.</param>
    /// <param name="logger">Receives the warning when the preferred provider is not available.</param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid.</exception>
    /// <exception cref="InvalidDataException">The bytes are not a model ONNX Runtime can load; the message names the artifact.</exception>
    /// <exception cref="InvalidOperationException">A GPU is required (<see cref="OnnxModelOptions.RequireGpu"/>) and none can be used.</exception>
    public static OnnxModel Load(ModelArtifact artifact, OnnxModelOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        options ??= new OnnxModelOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(OnnxModelOptions), typeof(OnnxModelOptions), errors);
        }

        logger ??= NullLogger.Instance;
        var bytes = artifact.Content.ToArray();
        var failures = new List<string>();
        foreach (var provider in options.ExecutionProviders.Distinct())
        {
            var session = TryCreate(bytes, provider, options.DeviceId, artifact.FileName, out var failure);
            if (session is not null)
            {
                if (failures.Count > 0)
                {
                    Log.ProviderFallback(logger, artifact.FileName, provider, string.Join("; ", failures));
                }

                try
                {
                    return new OnnxModel(session, options, provider, artifact.FileName);
                }
                catch
                {
                    session.Dispose();
                    throw;
                }
            }

            failures.Add(failure!);
            if (provider == OnnxExecutionProvider.Cuda && options.RequireGpu)
            {
                throw new InvalidOperationException($"'{artifact.FileName}' must run on a GPU (RequireGpu) but CUDA device {options.DeviceId} cannot be used: {failure}");
            }
        }

        throw new InvalidDataException($"'{artifact.FileName}' is not a model ONNX Runtime can load: {string.Join("; ", failures)}");
    }

    /// <summary>Checks the graph's inputs against a data schema: every input needs a column of the same name and a matching type, and one value per row.</summary>
    /// <param name="schema">The data's schema.</param>
    /// <returns>The problems, each naming the input and the column; empty when the data fits.</returns>
    public IReadOnlyList<string> CheckInputs(DataSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var problems = new List<string>();
        foreach (var (name, input) in Inputs)
        {
            var column = schema.Columns.FirstOrDefault(c => c.Name == name);
            if (column is null)
            {
                problems.Add($"'{Name}' input '{name}' has no column of that name in the data (columns: {string.Join(", ", schema.Columns.Select(c => c.Name))}).");
                continue;
            }

            var expected = column.Kind switch { DataColumnKind.Text => "string", DataColumnKind.Boolean => "Boolean", _ => "float" };
            var actual = input.IsString ? "string" : input.ElementType == typeof(float) ? "float" : input.ElementType.Name;
            if (!input.IsTensor || expected != actual)
            {
                problems.Add($"'{Name}' input '{name}' takes {(input.IsTensor ? actual : input.OnnxValueType.ToString())} values, but column '{name}' holds {column.Kind} ({expected}).");
            }

            var fixedWidth = input.Dimensions.Skip(1).Aggregate(1L, (a, d) => a * Math.Max(d, 1));
            if (input.Dimensions.Length is < 1 or > 2 || fixedWidth != 1 || input.Dimensions.Skip(1).Any(d => d < 0))
            {
                problems.Add($"'{Name}' input '{name}' has shape [{string.Join(", ", input.Dimensions.Select((d, i) => d < 0 ? input.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]; one value per row ([batch, 1]) is expected.");
            }
        }

        return problems;
    }

    /// <summary>Scores every row of a data set, in batches.</summary>
    /// <param name="data">The rows (columns named as the graph's inputs).</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>One score per row.</returns>
    /// <exception cref="InvalidDataException">The data does not fit the graph's inputs; the message lists each problem.</exception>
    /// <exception cref="InvalidOperationException">The score output holds several values per row (a multiclass model): use <see cref="ScoreClasses"/>.</exception>
    public float[] Score(DatasetSnapshot data, CancellationToken cancellationToken = default)
    {
        if (ScoreWidth != 1)
        {
            throw new InvalidOperationException($"'{Name}' output '{_scoreOutput}' holds {ScoreWidth} values per row (a multiclass model); use {nameof(ScoreClasses)}.");
        }

        return Score(data, int.MaxValue, _options.BatchSize, null, cancellationToken);
    }

    /// <summary>Scores every row of a data set, in batches, keeping every value of the score output: one score per class for a multiclass model.</summary>
    /// <param name="data">The rows (columns named as the graph's inputs).</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>One array of <see cref="ScoreWidth"/> values per row, in the order of <see cref="ClassLabels"/>.</returns>
    /// <exception cref="InvalidDataException">The data does not fit the graph's inputs; the message lists each problem.</exception>
    public float[][] ScoreClasses(DatasetSnapshot data, CancellationToken cancellationToken = default)
    {
        var flat = Score(data, int.MaxValue, _options.BatchSize, null, cancellationToken);
        var rows = new float[flat.Length / ScoreWidth][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = flat.AsSpan(i * ScoreWidth, ScoreWidth).ToArray();
        }

        return rows;
    }

    // The first maxRows rows, batchSize at a time, ScoreWidth values a row; each ONNX Runtime call is timed when asked.
    internal float[] Score(DatasetSnapshot data, int maxRows, int batchSize, List<double>? callTimes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (CheckInputs(data.Schema) is { Count: > 0 } problems)
        {
            throw new InvalidDataException(string.Join(" ", problems));
        }

        var inputs = Inputs.Keys.ToArray();
        var columns = inputs.Select(n => data.Data.Schema[n]).ToArray();
        var scores = new List<float>((int)Math.Min(data.RowCount, maxRows) * ScoreWidth);
        var scored = 0;
        using var cursor = data.Data.GetRowCursor(columns);
        var readers = columns.Select(c => ColumnReader.Create(cursor, c, batchSize)).ToArray();
        using var run = new RunOptions();
        using var registration = cancellationToken.Register(() => run.Terminate = true);
        var more = true;
        while (more)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = 0;
            while (rows < batchSize && scored + rows < maxRows && (more = cursor.MoveNext()))
            {
                foreach (var reader in readers)
                {
                    reader.Read(rows);
                }

                rows++;
            }

            if (rows == 0)
            {
                break;
            }

            more &= scored + rows < maxRows;

            var values = readers.Select(r => r.ToOrtValue(rows)).ToArray();
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                using var outputs = _session.Run(run, inputs, values, [_scoreOutput]);
                callTimes?.Add((System.Diagnostics.Stopwatch.GetTimestamp() - started) * 1000.0 / System.Diagnostics.Stopwatch.Frequency);
                scores.AddRange(outputs[0].GetTensorDataAsSpan<float>()[..(rows * ScoreWidth)]);
                scored += rows;
            }
            finally
            {
                foreach (var value in values)
                {
                    value.Dispose();
                }
            }
        }

        return [.. scores];
    }

    /// <summary>Creates a single-row prediction engine on this model for typed rows (members matched to the graph's inputs and outputs by name).</summary>
    /// <typeparam name="TInput">The input row type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <returns>The engine; it uses this model's session, so dispose the model after the engine's last use.</returns>
    /// <exception cref="InvalidOperationException">The types do not fit the graph; the message names every input and output that does not.</exception>
    public OnnxPredictionEngine<TInput, TOutput> CreatePredictionEngine<TInput, TOutput>()
        where TInput : class
        where TOutput : class, new()
        => new(_session, Name);

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The session options live as long as the session; a failed session disposes them.")]
    private static InferenceSession? TryCreate(byte[] bytes, OnnxExecutionProvider provider, int deviceId, string name, out string? failure)
    {
        var options = new SessionOptions();
        try
        {
            if (provider == OnnxExecutionProvider.Cuda)
            {
                options.AppendExecutionProvider_CUDA(deviceId);
            }

            failure = null;
            return new InferenceSession(bytes, options);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or TypeInitializationException)
        {
            options.Dispose();
            failure = $"{provider}: {ex.Message.Trim()}";
            return null;
        }
    }

    private static string PickScoreOutput(InferenceSession session, string? requested, string name)
    {
        var outputs = session.OutputMetadata;
        if (requested is not null)
        {
            if (!outputs.TryGetValue(requested, out var chosen))
            {
                throw new InvalidDataException($"'{name}' has no output '{requested}' (outputs: {string.Join(", ", outputs.Keys)}).");
            }

            return chosen.IsTensor && chosen.ElementType == typeof(float)
                ? requested
                : throw new InvalidDataException($"'{name}' output '{requested}' holds {(chosen.IsTensor ? chosen.ElementType.Name : chosen.OnnxValueType.ToString())} values; a score must be float.");
        }

        foreach (var candidate in new[] { "Probability.output", "Score.output" })
        {
            if (outputs.TryGetValue(candidate, out var metadata) && metadata.IsTensor && metadata.ElementType == typeof(float))
            {
                return candidate;
            }
        }

        var floats = outputs.Where(o => o.Value.IsTensor && o.Value.ElementType == typeof(float)).Select(o => o.Key).ToArray();
        return floats.Length == 1
            ? floats[0]
            : throw new InvalidDataException($"'{name}' has {(floats.Length == 0 ? "no float output" : $"{floats.Length} float outputs")} to read a score from (outputs: {string.Join(", ", outputs.Select(o => $"{o.Key} {(o.Value.IsTensor ? o.Value.ElementType.Name : o.Value.OnnxValueType.ToString())}"))}); set {nameof(OnnxModelOptions.ScoreOutput)}.");
    }

    // Reads one column of the cursor into a reused buffer, then hands ONNX Runtime a tensor of the filled rows.
    private abstract class ColumnReader
    {
        public static ColumnReader Create(DataViewRowCursor cursor, DataViewSchema.Column column, int batch)
            => column.Type switch
            {
                TextDataViewType => new TextReader(cursor.GetGetter<ReadOnlyMemory<char>>(column), batch),
                BooleanDataViewType => new BooleanReader(cursor.GetGetter<bool>(column), batch),
                _ => new FloatReader(cursor.GetGetter<float>(column), batch),
            };

        public abstract void Read(int row);

        public abstract OrtValue ToOrtValue(int rows);

        private sealed class FloatReader(ValueGetter<float> getter, int batch) : ColumnReader
        {
            private readonly float[] _buffer = new float[batch];

            public override void Read(int row) => getter(ref _buffer[row]);

            public override OrtValue ToOrtValue(int rows) => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _buffer.AsMemory(0, rows), [rows, 1]);
        }

        private sealed class BooleanReader(ValueGetter<bool> getter, int batch) : ColumnReader
        {
            private readonly bool[] _buffer = new bool[batch];

            public override void Read(int row) => getter(ref _buffer[row]);

            public override OrtValue ToOrtValue(int rows) => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _buffer.AsMemory(0, rows), [rows, 1]);
        }

        private sealed class TextReader(ValueGetter<ReadOnlyMemory<char>> getter, int batch) : ColumnReader
        {
            private readonly ReadOnlyMemory<char>[] _buffer = new ReadOnlyMemory<char>[batch];

            public override void Read(int row) => getter(ref _buffer[row]);

            public override OrtValue ToOrtValue(int rows)
            {
                var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [rows, 1]);
                for (var i = 0; i < rows; i++)
                {
                    value.StringTensorSetElementAt(_buffer[i].Span, i);
                }

                return value;
            }
        }
    }
}
