using System.Text;
using System.Text.Json;
using Flo.Cli;
using Flo.Tests.Shared;

namespace Flo.Cli.Tests;

/// <summary>One cluster for every CLI test class: each test names its own namespace, queue, stream or action.</summary>
[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<SingleSiloSqlite>
{
    public const string Name = "cli";
}

/// <summary>What one run of the tool printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>Standard output as the one JSON document <c>--json</c> promises (fails the test if it is not).</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Out);
            return document.RootElement.Clone();
        }
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>
/// Runs the <c>flo</c> root command in-process against the fixture's gateway, with captured writers. The gateway and
/// cluster identity come from the environment variables the tool reads (as a shell would set them), so every test
/// also goes through that path; a test may override them.
/// </summary>
public sealed class CliRunner(PlatformClusterFixture fixture)
{
    /// <summary>The variables the tool sees.</summary>
    public Dictionary<string, string?> Variables { get; } = new()
    {
        ["FLO_GATEWAY"] = fixture.Cluster.Gateways,
        ["FLO_CLUSTER_ID"] = fixture.Cluster.Cluster.Options.ClusterId,
        ["FLO_SERVICE_ID"] = fixture.Cluster.Cluster.Options.ServiceId,
    };

    /// <summary>Runs the tool to its end.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunAsync(new LockedWriter(), CancellationToken.None, args);

    /// <summary>Runs the tool writing to <paramref name="output"/> (read while it runs), until it ends or <paramref name="cancellationToken"/> (Ctrl+C) fires.</summary>
    public async Task<CliResult> RunAsync(LockedWriter output, CancellationToken cancellationToken, params string[] args)
    {
        var error = new LockedWriter();
        var environment = new CliEnvironment
        {
            Out = output,
            Error = error,
            GetVariable = name => Variables.GetValueOrDefault(name),
            Width = 240,
        };
        var code = await FloCommand.InvokeAsync(args, environment, cancellationToken);
        return new CliResult(code, output.Text, error.Text);
    }
}

/// <summary>A string writer safe to read while the tool writes to it from another thread (followers).</summary>
public sealed class LockedWriter : TextWriter
{
    private readonly StringBuilder text = new();

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Everything written so far.</summary>
    public string Text
    {
        get
        {
            lock (text)
            {
                return text.ToString();
            }
        }
    }

    public override void Write(char value)
    {
        lock (text)
        {
            text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (text)
        {
            text.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (text)
        {
            text.Append(buffer, index, count);
        }
    }

    /// <summary>Waits until the text contains <paramref name="expected"/> (fails after <paramref name="timeout"/>).</summary>
    public async Task WaitForAsync(string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Text.Contains(expected, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"'{expected}' was not printed within {timeout.TotalSeconds} s; output so far:\n{Text}");
            }
            await Task.Delay(50);
        }
    }
}
