using System.CommandLine;

namespace Flo.Cli;

/// <summary>What every area's commands share: the global options and the process's console and environment.</summary>
/// <param name="Options">The global connection options.</param>
/// <param name="Environment">Console writers, standard input and environment variables.</param>
public sealed record CliContext(ConnectionOptions Options, CliEnvironment Environment)
{
    /// <summary>
    /// Makes <paramref name="run"/> the command's action, connected: it reads the connection, connects, runs, and turns
    /// any failure into its exit code (<see cref="ExitCodes.For"/>) with a one-line error on standard error, so the
    /// area files only say what a command does.
    /// </summary>
    public void Handle(Command command, Func<Invocation, CancellationToken, Task<int>> run)
        => command.SetAction(async (result, cancellationToken) =>
        {
            Output? output = null;
            try
            {
                var connection = Options.Read(result, Environment);
                output = new Output(Environment, connection.Json);
                var client = await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
                await using (client.ConfigureAwait(false))
                {
                    return await run(new Invocation(result, connection, output, Environment, client), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                (output ?? new Output(Environment, json: false)).Error("interrupted");
                return ExitCodes.Interrupted;
            }
            catch (Exception e)
            {
                var (code, message) = ExitCodes.For(e);
                (output ?? new Output(Environment, json: false)).Error(message);
                return code;
            }
        });
}

/// <summary>One running command: its parsed line, connection, output and connected client.</summary>
/// <param name="Result">The parsed command line.</param>
/// <param name="Connection">Where it connected, in which namespace.</param>
/// <param name="Output">Where results go.</param>
/// <param name="Environment">Standard input and the environment, for payloads.</param>
/// <param name="Client">The connected client (disposed when the command ends).</param>
public sealed record Invocation(ParseResult Result, Connection Connection, Output Output, CliEnvironment Environment, FloClient Client)
{
    /// <summary>An option's value.</summary>
    public T Get<T>(Option<T> option) => Result.GetValue(option)!;

    /// <summary>An argument's value.</summary>
    public T Get<T>(Argument<T> argument) => Result.GetValue(argument)!;

    /// <summary>The bytes of a payload argument (text, <c>@file</c>, <c>@-</c>; see <see cref="Payloads"/>).</summary>
    public Task<byte[]> PayloadAsync(string argument, CancellationToken cancellationToken)
        => Payloads.ReadAsync(argument, Environment.Input, cancellationToken);

    /// <summary>The bytes of a JSON option's text, checked to parse.</summary>
    public Task<byte[]> JsonAsync(string argument, string optionName, CancellationToken cancellationToken)
        => Payloads.ReadJsonAsync(argument, optionName, Environment.Input, cancellationToken);
}
