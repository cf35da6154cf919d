namespace Flo.Cli;

/// <summary>
/// What the tool reads from and writes to outside its arguments: standard output and error, standard input (for
/// <c>@-</c> payloads), environment variables, and whether Ctrl+C is handled. The process uses
/// <see cref="Process"/>; tests give writers of their own and a dictionary of variables, and run the tool in-process.
/// </summary>
public sealed record CliEnvironment
{
    /// <summary>The real console and environment of this process.</summary>
    public static CliEnvironment Process { get; } = new()
    {
        Out = Console.Out,
        Error = Console.Error,
        Input = Console.OpenStandardInput,
        GetVariable = Environment.GetEnvironmentVariable,
        HandleTermination = true,
    };

    /// <summary>Standard output: tables, or the JSON document.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: the one-line error of a failed command, parse errors.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Standard input, opened when a payload is <c>@-</c>.</summary>
    public Func<Stream> Input { get; init; } = () => Stream.Null;

    /// <summary>Looks up an environment variable (<c>FLO_GATEWAY</c>, <c>FLO_NAMESPACE</c>, ...); null when unset.</summary>
    public Func<string, string?> GetVariable { get; init; } = _ => null;

    /// <summary>
    /// Whether Ctrl+C and SIGTERM cancel the running command (and followers like <c>kv watch</c> end cleanly). Off in
    /// tests: the handler is process-wide.
    /// </summary>
    public bool HandleTermination { get; init; }

    /// <summary>Columns for tables when output is not a terminal (redirected, or a test's writer); null: Spectre's guess.</summary>
    public int? Width { get; init; }
}
