namespace ModelRetraining.Cli;

/// <summary>Dispatches <c>mrt &lt;command&gt;</c>; every refusal is a message on standard error and an exit code, with nothing changed.</summary>
internal static class MrtApp
{
    public const string Usage = """
        mrt — operate a ModelRetraining registry

          mrt models list
          mrt versions list <model>
          mrt versions show <model> <version>
          mrt versions diff <model> <from> <to>
          mrt aliases list <model>
          mrt aliases history <model> [--alias champion]
          mrt promote <model> <version> --expected <version|none> --reason <why> [--alias champion] [--actor <who>]
          mrt rollback <model> --expected <version> --reason <why> [--actor <who>]
          mrt approvals list
          mrt approvals approve <request> --comment <why> [--actor <who>]
          mrt approvals reject <request> --comment <why> [--actor <who>]
          mrt runs list <model> [--last 50]
          mrt runs show <run>
          mrt runs cancel <run> --reason <why> [--wait 60s] [--actor <who>]
          mrt runs resume <run> --reason <why> [--wait 5m] [--actor <who>]
          mrt drift <reference> <current> [--out <folder>] [--columns a,b] [--fail-on-drift]
          mrt profile <file> [--out <file.json>]
          mrt gc [--delete] [--min-age 24h]

        runs cancel and runs resume file a request that the host acts on (its trainer and data are the host's):
        the run's holder cancels it at its next stage or lease renewal; a host's resume sweep resumes it. --wait
        stays until a host has acted and prints what it did (exit 1 if none did in time; the request stays open).
        gc lists the artifacts no version, attachment or dataset batch references and that are older than
        --min-age; it deletes them only with --delete.
        drift and profile read CSV (a schema guessed from the first file's first 10,000 rows; --text, --ignore,
        --label, --time, --separator correct it) or Parquet, and need no registry.
        Every other command: --registry <folder> or --registry pg:<Npgsql connection string> [--schema model_retraining]
        (else MRT_REGISTRY, else mrt.json in this folder), --json. mrt never creates or migrates a registry.
        Exit codes: 0 ok, 1 failed, 2 usage, 3 conflict (refused by the registry's or the approval rules), 4 not found.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        // Until the arguments parse, an error is JSON when --json is anywhere in them.
        var output = new Output(stdout, stderr, args.Contains("--json"));
        try
        {
            var parsed = new CliArguments(args);
            output = new Output(stdout, stderr, parsed.Json);
            if (parsed.Flag("help"))
            {
                stdout.WriteLine(Usage);
                return ExitCodes.Ok;
            }

            if (parsed.Words.Count == 0)
            {
                stderr.WriteLine(Usage);
                return ExitCodes.Usage;
            }

            return await DispatchAsync(parsed, output, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            output.Error(ex.Message, ex.ExitCode);
            return ex.ExitCode;
        }
        catch (ArgumentException ex)
        {
            output.Error(ex.Message, ExitCodes.Usage);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            output.Error("Cancelled.", ExitCodes.Failed);
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            // The registry could not be read or written (or a record in it could not be read): a failure, never a stack trace.
            output.Error(SafeText.Escape(ex.Message), ExitCodes.Failed);
            return ExitCodes.Failed;
        }
    }

    private static async Task<int> DispatchAsync(CliArguments a, Output output, CancellationToken ct)
    {
        var command = string.Join(' ', a.Words.Take(2));
        switch (a.Words[0])
        {
            case "models" when a.Words.Count >= 2 && a.Words[1] == "list":
                return await Run(a, 2, r => ReadCommands.ModelsAsync(r, output, ct)).ConfigureAwait(false);
            case "versions" when a.Words.Count >= 2 && a.Words[1] == "list":
                return await Run(a, 3, r => ReadCommands.VersionsAsync(r, a.Word(2, "model"), output, ct)).ConfigureAwait(false);
            case "versions" when a.Words.Count >= 2 && a.Words[1] == "show":
                return await Run(a, 4, r => ReadCommands.ShowAsync(r, a.Word(2, "model"), a.Number(3, "version"), output, ct)).ConfigureAwait(false);
            case "versions" when a.Words.Count >= 2 && a.Words[1] == "diff":
                return await Run(a, 5, r => ReadCommands.DiffAsync(r, a.Word(2, "model"), a.Number(3, "from version"), a.Number(4, "to version"), output, ct)).ConfigureAwait(false);
            case "aliases" when a.Words.Count >= 2 && a.Words[1] == "list":
                return await Run(a, 3, r => ReadCommands.AliasesAsync(r, a.Word(2, "model"), output, ct)).ConfigureAwait(false);
            case "aliases" when a.Words.Count >= 2 && a.Words[1] == "history":
                var alias = a.Option("alias") ?? ModelAliases.Champion;
                return await Run(a, 3, r => ReadCommands.HistoryAsync(r, a.Word(2, "model"), alias, output, ct)).ConfigureAwait(false);
            case "promote":
                {
                    var (expected, reason, actor, target) = (a.Required("expected", "the version the alias points at now, or 'none' (a lost race is refused, exit 3)"), a.Required("reason", "it is recorded in the alias history"), Actor(a), a.Option("alias") ?? ModelAliases.Champion);
                    return await Run(a, 3, r => ChangeCommands.PromoteAsync(r, a.Word(1, "model"), a.Number(2, "version"), target, expected, actor, reason, output, ct), changes: true).ConfigureAwait(false);
                }

            case "rollback":
                {
                    var expectedText = a.Required("expected", "the version the champion points at now (a lost race is refused, exit 3)");
                    var expected = int.TryParse(expectedText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var e) && e > 0 ? e : throw new CliException(ExitCodes.Usage, $"--expected must be a version number; '{expectedText}' is not.");
                    var (reason, actor) = (a.Required("reason", "it is recorded in the alias history and the audit log"), Actor(a));
                    return await Run(a, 2, r => ChangeCommands.RollbackAsync(r, a.Word(1, "model"), expected, actor, reason, output, ct), changes: true).ConfigureAwait(false);
                }

            case "approvals" when a.Words.Count >= 2 && a.Words[1] == "list":
                return await Run(a, 2, r => ReadCommands.ApprovalsAsync(r, output, ct)).ConfigureAwait(false);
            case "approvals" when a.Words.Count >= 2 && a.Words[1] is "approve" or "reject":
                {
                    var approve = a.Words[1] == "approve";
                    var (comment, actor) = (a.Required("comment", "every vote is recorded with its reason"), Actor(a));
                    return await Run(a, 3, r => ChangeCommands.VoteAsync(r, a.Word(2, "request id"), approve, actor, comment, output, ct), changes: true).ConfigureAwait(false);
                }

            case "runs" when a.Words.Count >= 2 && a.Words[1] == "list":
                {
                    var last = a.Option("last") is { } text ? int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new CliException(ExitCodes.Usage, $"--last must be a positive number of runs; '{text}' is not.") : 50;
                    return await Run(a, 3, r => ReadCommands.RunsAsync(r, a.Word(2, "model"), last, output, ct)).ConfigureAwait(false);
                }
            case "runs" when a.Words.Count >= 2 && a.Words[1] == "show":
                return await Run(a, 3, r => ReadCommands.RunAsync(r, a.Word(2, "run id"), output, ct)).ConfigureAwait(false);
            case "runs" when a.Words.Count >= 2 && a.Words[1] is "cancel" or "resume":
                {
                    var kind = a.Words[1] == "cancel" ? RunRequestKind.Cancel : RunRequestKind.Resume;
                    var (reason, actor, wait) = (a.Required("reason", "it is audited and shown with the run"), Actor(a), RunCommands.Wait(a.Option("wait")));
                    return await Run(a, 3, r => RunCommands.RequestAsync(r, a.Word(2, "run id"), kind, actor, reason, wait, output, ct), changes: true).ConfigureAwait(false);
                }

            case "drift":
                {
                    var (files, outFolder, columns, failOnDrift) = (DataFiles.FromOptions(a), a.Option("out") ?? ".", DataFiles.List(a.Option("columns")), a.Flag("fail-on-drift"));
                    a.ThrowIfUnread(3);
                    return await DataCommands.DriftAsync(files, a.Word(1, "reference file"), a.Word(2, "current file"), outFolder, columns, failOnDrift, output, ct).ConfigureAwait(false);
                }

            case "profile":
                {
                    var (files, outPath) = (DataFiles.FromOptions(a), a.Option("out"));
                    a.ThrowIfUnread(2);
                    return await DataCommands.ProfileAsync(files, a.Word(1, "data file"), outPath, output, ct).ConfigureAwait(false);
                }

            case "gc":
                {
                    var (delete, minAge) = (a.Flag("delete"), MaintenanceCommands.Age(a.Option("min-age")));
                    return await Run(a, 1, r => MaintenanceCommands.GcAsync(r, RegistryLocation.FolderOf(a), delete, minAge, output, ct), changes: delete).ConfigureAwait(false);
                }

            default:
                throw new CliException(ExitCodes.Usage, $"Unknown command '{command}'. Run 'mrt --help' for the list.");
        }
    }

    // Options are all read before the registry opens, so a typo is a usage error before anything is touched.
    private static async Task<int> Run(CliArguments a, int words, Func<IModelRegistry, Task<int>> command, bool changes = false)
    {
        a.Option("registry"); // declared here, read by RegistryLocation after the check for unknown options
        a.Option("schema");
        a.ThrowIfUnread(words);
        var registry = RegistryLocation.Open(a, changes);
        try
        {
            return await command(registry).ConfigureAwait(false);
        }
        finally
        {
            if (registry is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                (registry as IDisposable)?.Dispose();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    private static string Actor(CliArguments a) => a.Option("actor") is { Length: > 0 } actor ? actor : Environment.UserName is { Length: > 0 } user ? user : "operator";
}
