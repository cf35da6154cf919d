using System.CommandLine;
using Flo.Management;

namespace Flo.Cli;

/// <summary><c>flo cluster members|health</c>: the silos and whether the cluster answers.</summary>
public static class ClusterCommands
{
    /// <summary>The <c>cluster</c> command and its subcommands.</summary>
    public static Command Create(CliContext cli) => new("cluster", "The cluster: silos, activations, calls per second, health")
    {
        Members(cli), Health(cli),
    };

    private static Command Members(CliContext cli)
    {
        var sampleMs = new Option<int>("--sample-ms")
        {
            Description = "Measure calls per second over this long (at least 1000; 0: skip, calls/s unknown)",
            DefaultValueFactory = _ => 1000,
        };
        var command = new Command("members", "The active silos with activations, CPU, memory and calls per second") { sampleMs };
        cli.Handle(command, async (x, ct) =>
        {
            var overview = await x.Client.Management.ClusterAsync(ct).ConfigureAwait(false);
            if (x.Get(sampleMs) is > 0 and var ms)
            {
                // Calls per second are the growth of each silo's message counters between two readings of the same
                // client, at least 1 s apart; a fresh tool has had no earlier reading, so it takes two.
                await Task.Delay(Math.Max(ms, 1000), ct).ConfigureAwait(false);
                overview = await x.Client.Management.ClusterAsync(ct).ConfigureAwait(false);
            }
            x.Output.Result(overview, () =>
            {
                var table = Output.Table("silo", "address", "status", "gateway", "activations", "cpu %", "memory MB", "calls/s");
                foreach (var s in overview.Silos)
                {
                    Output.Row(table, s.Name, s.Address, s.Status, s.Gateway ?? "-", Output.Number(s.Activations), Output.Number(s.CpuUsage),
                        Output.Number(s.MemoryBytes / (1024.0 * 1024.0), "0"), Output.Number(s.CallsPerSecond));
                }
                return Output.Footer(table, $"{overview.Silos.Count} silo(s), {Output.Number(overview.Activations)} activation(s), {Output.Number(overview.CallsPerSecond)} calls/s");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Health(CliContext cli)
    {
        var command = new Command("health", "Whether the cluster answers: active silos and a grain call round trip (exit 5 when unhealthy)");
        cli.Handle(command, async (x, ct) =>
        {
            var health = await x.Client.Management.HealthAsync(ct).ConfigureAwait(false);
            x.Output.Result(health, () => Output.Fields(
                ("healthy", health.Healthy ? "yes" : "no"),
                ("active silos", health.ActiveSilos.ToString()),
                ("round trip", health.RoundTripMs is { } rt ? $"{rt:0.0} ms" : "-"),
                ("problem", health.Problem ?? "-")));
            if (!health.Healthy)
            {
                x.Output.Error($"cluster unhealthy: {health.Problem}");
                return ExitCodes.Unavailable;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
