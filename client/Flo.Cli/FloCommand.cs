using System.CommandLine;
using System.CommandLine.Invocation;

namespace Flo.Cli;

/// <summary>
/// The <c>flo</c> root command: the global options (<see cref="ConnectionOptions"/>) and one command per area. Built
/// over a <see cref="CliEnvironment"/> so tests run the whole tool in-process with writers of their own.
/// </summary>
public static class FloCommand
{
    /// <summary>How long a command may take to end after Ctrl+C before the process is ended anyway.</summary>
    private static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(3);

    /// <summary>The root command with every area's commands.</summary>
    public static RootCommand Create(CliEnvironment environment)
    {
        var options = new ConnectionOptions();
        var cli = new CliContext(options, environment);
        var root = new RootCommand("flo: the Flo platform from the command line (KV, queues, streams, actions, schedules, cluster).");
        foreach (var option in options.All)
        {
            root.Options.Add(option);
        }
        root.Subcommands.Add(KvCommands.Create(cli));
        root.Subcommands.Add(QueueCommands.Create(cli));
        root.Subcommands.Add(StreamCommands.Create(cli));
        root.Subcommands.Add(ActionCommands.Create(cli));
        root.Subcommands.Add(ScheduleCommands.Create(cli));
        root.Subcommands.Add(ClusterCommands.Create(cli));
        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command; returns its exit code (<see cref="ExitCodes"/>).
    /// <paramref name="cancellationToken"/> cancels it as Ctrl+C does.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var root = Create(environment);
        // No response files: "@file" is how a payload names a file, and must reach the command as typed.
        var result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Action is ParseErrorAction parseError)
        {
            // Errors only, on stderr: help or suggestions on stdout would break `--json | jq` and bury the one line that
            // matters; the hint below points at --help.
            parseError.ShowHelp = false;
            parseError.ShowTypoCorrections = false;
        }
        var exitCode = await result.InvokeAsync(new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            ProcessTerminationTimeout = environment.HandleTermination ? TerminationGrace : null,
        }, cancellationToken).ConfigureAwait(false);
        if (result.Errors.Count > 0)
        {
            await environment.Error.WriteLineAsync($"Run '{string.Join(' ', PathOf(result))} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        return exitCode;
    }

    private static IEnumerable<string> PathOf(ParseResult result)
    {
        var names = new Stack<string>();
        for (var command = result.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(command.Command == result.RootCommandResult.Command ? "flo" : command.Command.Name);
        }
        return names;
    }
}
