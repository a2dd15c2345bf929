using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace ModelRetraining.Onnx;

/// <summary>
/// Single-row predictions on an <see cref="OnnxModel"/> with typed rows, as ML.NET's prediction engine does
/// for ML.NET models: the graph's inputs are read from <typeparamref name="TInput"/>'s members and its
/// outputs written to <typeparamref name="TOutput"/>'s, matched by name (or <see cref="ColumnNameAttribute"/>;
/// an output <c>Score.output</c> fills a member <c>Score</c>). Thread-safe; it does not own the model.
/// </summary>
/// <typeparam name="TInput">The input row: one float, string or bool member per graph input.</typeparam>
/// <typeparam name="TOutput">The output: float, float[], bool, uint or string members, each with a graph output.</typeparam>
public sealed class OnnxPredictionEngine<TInput, TOutput>
    where TInput : class
    where TOutput : class, new()
{
    // Read-only after creation, so one serves every concurrent call; it lives as long as the process's engines.
    private static readonly RunOptions Run = new();

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly Func<TInput, OrtValue>[] _inputs;
    private readonly string[] _outputNames;
    private readonly Action<TOutput, OrtValue>[] _outputs;

    internal OnnxPredictionEngine(InferenceSession session, string modelName)
    {
        _session = session;
        var problems = new List<string>();
        _inputNames = [.. session.InputMetadata.Keys];
        _inputs = [.. session.InputMetadata.Select(p => InputReader(p.Key, p.Value, problems))];
        var outputs = new List<(string Name, Action<TOutput, OrtValue> Write)>();
        foreach (var member in typeof(TOutput).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var column = ColumnName(member);
            var name = session.OutputMetadata.ContainsKey($"{column}.output") ? $"{column}.output" : session.OutputMetadata.ContainsKey(column) ? column : null;
            if (name is null)
            {
                problems.Add($"{typeof(TOutput).Name}.{member.Name} has no output '{column}.output' or '{column}' (outputs: {string.Join(", ", session.OutputMetadata.Keys)})");
                continue;
            }

            if (OutputWriter(member, session.OutputMetadata[name]) is { } write)
            {
                outputs.Add((name, write));
            }
            else
            {
                problems.Add($"{typeof(TOutput).Name}.{member.Name} is {member.PropertyType.Name} but output '{name}' holds {session.OutputMetadata[name].ElementType.Name} values");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"'{modelName}' does not fit {typeof(TInput).Name} → {typeof(TOutput).Name}: {string.Join("; ", problems)}.");
        }

        _outputNames = [.. outputs.Select(o => o.Name)];
        _outputs = [.. outputs.Select(o => o.Write)];
    }

    /// <summary>Predicts one row.</summary>
    /// <param name="input">The row.</param>
    /// <returns>The output.</returns>
    public TOutput Predict(TInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var values = new OrtValue[_inputs.Length];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = _inputs[i](input);
            }

            using var results = _session.Run(Run, _inputNames, values, _outputNames);
            var output = new TOutput();
            for (var i = 0; i < _outputs.Length; i++)
            {
                _outputs[i](output, results[i]);
            }

            return output;
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    private static Func<TInput, OrtValue> InputReader(string name, NodeMetadata metadata, List<string> problems)
    {
        var member = typeof(TInput).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => ColumnName(p) == name);
        if (member is null)
        {
            problems.Add($"input '{name}' has no member of that name in {typeof(TInput).Name}");
            return _ => throw new InvalidOperationException();
        }

        long[] shape = [1, 1];
        if (metadata.IsString && member.PropertyType == typeof(string))
        {
            var get = member.GetGetMethod()!.CreateDelegate<Func<TInput, string?>>();
            return row =>
            {
                var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                value.StringTensorSetElementAt((get(row) ?? string.Empty).AsSpan(), 0);
                return value;
            };
        }

        if (metadata.ElementType == typeof(float) && member.PropertyType == typeof(float))
        {
            var get = member.GetGetMethod()!.CreateDelegate<Func<TInput, float>>();
            return row => OrtValue.CreateTensorValueFromMemory(new[] { get(row) }, shape);
        }

        if (metadata.ElementType == typeof(bool) && member.PropertyType == typeof(bool))
        {
            var get = member.GetGetMethod()!.CreateDelegate<Func<TInput, bool>>();
            return row => OrtValue.CreateTensorValueFromMemory(new[] { get(row) }, shape);
        }

        problems.Add($"input '{name}' takes {(metadata.IsString ? "string" : metadata.ElementType.Name)} values but {typeof(TInput).Name}.{member.Name} is {member.PropertyType.Name}");
        return _ => throw new InvalidOperationException();
    }

    private static Action<TOutput, OrtValue>? OutputWriter(PropertyInfo member, NodeMetadata metadata)
    {
        var type = member.PropertyType;
        if (metadata.IsString && type == typeof(string))
        {
            return Setter<string>(member, v => v.GetStringElement(0));
        }

        return (metadata.ElementType, type) switch
        {
            (var e, var t) when e == typeof(float) && t == typeof(float) => Setter<float>(member, v => v.GetTensorDataAsSpan<float>()[0]),
            (var e, var t) when e == typeof(float) && t == typeof(float[]) => Setter<float[]>(member, v => v.GetTensorDataAsSpan<float>().ToArray()),
            (var e, var t) when e == typeof(bool) && t == typeof(bool) => Setter<bool>(member, v => v.GetTensorDataAsSpan<bool>()[0]),
            (var e, var t) when e == typeof(uint) && t == typeof(uint) => Setter<uint>(member, v => v.GetTensorDataAsSpan<uint>()[0]),
            (var e, var t) when e == typeof(long) && t == typeof(long) => Setter<long>(member, v => v.GetTensorDataAsSpan<long>()[0]),
            _ => null,
        };
    }

    // ML.NET's [ColumnName] on the row types is honoured without referencing ML.NET (this package serves
    // ONNX models with ONNX Runtime alone): matched by the attribute's full name, and, since ML.NET keeps
    // the attribute's name internal, read from its constructor argument.
    private const string ColumnNameAttribute = "Microsoft.ML.Data.ColumnNameAttribute";

    private static string ColumnName(PropertyInfo member)
        => member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == ColumnNameAttribute)?.ConstructorArguments[0].Value as string ?? member.Name;

    private static Action<TOutput, OrtValue> Setter<T>(PropertyInfo member, Func<OrtValue, T> read)
    {
        var set = member.GetSetMethod()!.CreateDelegate<Action<TOutput, T>>();
        return (o, v) => set(o, read(v));
    }
}
