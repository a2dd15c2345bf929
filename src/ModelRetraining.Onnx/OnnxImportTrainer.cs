using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ModelRetraining.Onnx;

/// <summary>
/// A "trainer" for models trained elsewhere (PyTorch, scikit-learn): it takes an ONNX file, or runs a
/// command that writes one (with a timeout; its output goes to the run's log), reads the graph's inputs and
/// checks them against the training data's schema, and hands the model on as the candidate.
/// </summary>
internal sealed partial class OnnxImportTrainer(string path, string? command, IReadOnlyList<string> arguments, TimeSpan timeout, ILogger logger) : ITrainer
{
    public string Name => command is null ? $"onnx-file {Path.GetFileName(path)}" : $"onnx-command {Path.GetFileName(command)}";

    public async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(context);
        var started = context.TimeProvider.GetTimestamp();
        if (command is not null)
        {
            await RunCommandAsync(context.RunId, cancellationToken).ConfigureAwait(false);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The ONNX model '{path}' does not exist{(command is null ? string.Empty : $" after the command '{command}' ran")}.", path);
        }

        var artifact = new ModelArtifact(ArtifactFlavors.Onnx, Path.GetFileName(path), await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
        var options = new OnnxModelOptions();
        options.ExecutionProviders.Clear();
        options.ExecutionProviders.Add(OnnxExecutionProvider.Cpu);
        using (var model = OnnxModel.Load(artifact, options, logger))
        {
            var scoring = new DataSchema([.. training.Schema.Columns.Where(c => c.Name != training.Schema.LabelColumn && c.Name != training.Schema.TimeColumn)]);
            if (model.CheckInputs(scoring) is { Count: > 0 } problems)
            {
                throw new InvalidDataException($"The ONNX model '{path}' does not fit the data '{training.Name}': {string.Join(" ", problems)}");
            }
        }

        return new TrainedModel(artifact, training.Fingerprint, context.TimeProvider.GetElapsedTime(started))
        {
            TrainingRows = training.RowCount,
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["source"] = command is null ? path : $"{command} {string.Join(' ', arguments)}",
            },
        };
    }

    private async Task RunCommandAsync(string runId, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command!, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"The command '{command}' did not start.");
        var tail = new Queue<string>();
        void Capture(string? line, bool error)
        {
            if (line is null)
            {
                return;
            }

            Log.CommandOutput(logger, runId, error ? "stderr" : "stdout", SafeText.Escape(line));
            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 20)
                {
                    tail.Dequeue();
                }
            }
        }

        process.OutputDataReceived += (_, e) => Capture(e.Data, false);
        process.ErrorDataReceived += (_, e) => Capture(e.Data, true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"The command '{command}' did not finish within {timeout}; it was stopped.");
        }

        if (process.ExitCode != 0)
        {
            string last;
            lock (tail)
            {
                last = string.Join(Environment.NewLine, tail);
            }

            throw new InvalidOperationException($"The command '{command}' exited with code {process.ExitCode}. Its last output:{Environment.NewLine}{last}");
        }
    }
}
