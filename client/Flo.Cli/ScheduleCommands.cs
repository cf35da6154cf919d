using System.CommandLine;
using System.Globalization;
using Flo.Schedules;

namespace Flo.Cli;

/// <summary><c>flo schedule list|create|enable|disable|delete</c>: cron, interval and one-off schedules of actions.</summary>
public static class ScheduleCommands
{
    /// <summary>The <c>schedule</c> command and its subcommands.</summary>
    public static Command Create(CliContext cli) => new("schedule", "Schedules: actions invoked on a cron, an interval or once")
    {
        List(cli), CreateSchedule(cli), SetEnabled(cli, "enable", true), SetEnabled(cli, "disable", false), Delete(cli),
    };

    private static Argument<string> ScheduleId() => new("id") { Description = "The schedule's id (see schedule list)" };

    private static Command List(CliContext cli)
    {
        var command = new Command("list", "The namespace's schedules, soonest due first");
        cli.Handle(command, async (x, ct) =>
        {
            var schedules = await x.Client.Schedule.ListAsync(cancellationToken: ct).ConfigureAwait(false);
            x.Output.Result(new { Namespace = x.Connection.Namespace, Schedules = schedules.Select(Json) }, () =>
            {
                var table = Output.Table("id", "action", "when", "enabled", "next run", "last run", "fired", "missed", "description");
                foreach (var s in schedules)
                {
                    Output.Row(table, s.Id, s.Definition.Action, When(s.Definition), s.Enabled ? "yes" : "no", Output.Time(s.NextRunAtMs), Output.Time(s.LastRunAtMs),
                        Output.Number(s.Fired), Output.Number(s.Missed), s.Definition.Description ?? "");
                }
                return Output.Footer(table, $"{schedules.Count} schedule(s) in namespace '{x.Connection.Namespace}'");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateSchedule(CliContext cli)
    {
        var action = new Option<string>("--action") { Description = "The action each due time invokes", Required = true };
        var cron = new Option<string?>("--cron") { Description = "Cron: 5 fields (minute hour day month weekday), 6 with seconds first, or @hourly, @daily..." };
        var zone = new Option<string?>("--zone") { Description = "With --cron: the IANA time zone (default UTC)" };
        var intervalMs = new Option<long?>("--interval-ms") { Description = "Every this many milliseconds, the first one interval from now" };
        var at = new Option<DateTimeOffset?>("--at")
        {
            Description = "Once, at this ISO 8601 time (no offset: UTC)",
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
                {
                    return parsed;
                }
                r.AddError($"--at '{text}' is not an ISO 8601 time (e.g. 2026-01-02T03:04:05Z).");
                return null;
            },
        };
        var argsJson = new Option<string?>("--args-json") { Description = "Each run's payload as JSON text (checked to parse), or @file" };
        var description = new Option<string?>("--description") { Description = "Shown in listings and the dashboard" };
        var priority = new Option<int?>("--priority") { Description = "Priority of its runs (default: the action's)" };
        var missedRuns = new Option<MissedRuns>("--missed-runs")
        {
            Description = "Due times missed (cluster down, previous run not started): RunOnce (one run, default), Skip, or RunEach (each, late, oldest first)",
            DefaultValueFactory = _ => MissedRuns.RunOnce,
        };
        var command = new Command("create", "Creates a schedule (the same one twice returns the first); prints it")
        {
            action, cron, zone, intervalMs, at, argsJson, description, priority, missedRuns,
        };
        command.Validators.Add(r =>
        {
            var kinds = (r.GetResult(cron) is null ? 0 : 1) + (r.GetResult(intervalMs) is null ? 0 : 1) + (r.GetResult(at) is null ? 0 : 1);
            if (kinds != 1)
            {
                r.AddError("Give exactly one of --cron, --interval-ms, --at.");
            }
            if (r.GetResult(zone) is not null && r.GetResult(cron) is null)
            {
                r.AddError("--zone applies to --cron only.");
            }
        });
        cli.Handle(command, async (x, ct) =>
        {
            var args = x.Get(argsJson) is { } json ? await x.JsonAsync(json, "--args-json", ct).ConfigureAwait(false) : null;
            var options = new ScheduleOptions(Args: args, Description: x.Get(description), Priority: x.Get(priority), MissedRuns: x.Get(missedRuns));
            var schedule = x.Get(cron) is { } expression
                ? await x.Client.Schedule.CronAsync(x.Get(action), expression, x.Get(zone), options, ct).ConfigureAwait(false)
                : x.Get(intervalMs) is { } ms
                    ? await x.Client.Schedule.IntervalAsync(x.Get(action), TimeSpan.FromMilliseconds(ms), options, ct).ConfigureAwait(false)
                    : await x.Client.Schedule.OnceAsync(x.Get(action), x.Get(at)!.Value, options, ct).ConfigureAwait(false);
            Print(x.Output, schedule);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SetEnabled(CliContext cli, string name, bool enabled)
    {
        var id = ScheduleId();
        var command = new Command(name, enabled ? "Enables a schedule; its next due time is computed from now" : "Disables a schedule") { id };
        cli.Handle(command, async (x, ct) =>
        {
            var schedule = enabled
                ? await x.Client.Schedule.EnableAsync(x.Get(id), cancellationToken: ct).ConfigureAwait(false)
                : await x.Client.Schedule.DisableAsync(x.Get(id), cancellationToken: ct).ConfigureAwait(false);
            Print(x.Output, schedule);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliContext cli)
    {
        var id = ScheduleId();
        var command = new Command("delete", "Deletes a schedule (its runs stay; exit 2 if there is none)") { id };
        command.Aliases.Add("del");
        cli.Handle(command, async (x, ct) =>
        {
            var schedule = x.Get(id);
            await x.Client.Schedule.DeleteAsync(schedule, cancellationToken: ct).ConfigureAwait(false);
            x.Output.Result(new { Id = schedule, Deleted = true }, () => Output.Line($"{schedule}: deleted"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(Output output, ScheduleInfo s)
        => output.Result(Json(s), () => Output.Fields(
            ("id", s.Id),
            ("action", s.Definition.Action),
            ("when", When(s.Definition)),
            ("enabled", s.Enabled ? "yes" : "no"),
            ("next run", Output.Time(s.NextRunAtMs)),
            ("last run", Output.Time(s.LastRunAtMs)),
            ("last run id", s.LastRunId ?? "-"),
            ("fired", Output.Number(s.Fired)),
            ("missed", Output.Number(s.Missed)),
            ("args", s.Definition.Args.Length == 0 ? "-" : Payloads.Show(s.Definition.Args)),
            ("description", s.Definition.Description ?? "-")));

    private static object Json(ScheduleInfo s)
    {
        var d = s.Definition;
        var (args, encoding) = Payloads.Describe(d.Args);
        return new
        {
            s.Id,
            s.Namespace,
            d.Action,
            d.Kind,
            d.Cron,
            d.TimeZone,
            IntervalMs = d.Kind == ScheduleKind.Interval ? d.IntervalMs : (long?)null,
            AtMs = d.Kind == ScheduleKind.Once ? d.AtMs : (long?)null,
            Args = args,
            ArgsEncoding = encoding,
            d.Description,
            d.Priority,
            d.MissedRuns,
            s.Enabled,
            s.NextRunAtMs,
            s.LastRunAtMs,
            s.LastRunId,
            s.Fired,
            s.Missed,
            s.CreatedAtMs,
            s.UpdatedAtMs,
        };
    }

    /// <summary>The timing in one cell: <c>cron 0 * * * * (Europe/Paris)</c>, <c>every 5 min</c>, <c>once at ...</c>.</summary>
    private static string When(ScheduleDefinition d) => d.Kind switch
    {
        ScheduleKind.Cron => $"cron {d.Cron}{(d.TimeZone is { } z ? $" ({z})" : "")}",
        ScheduleKind.Interval => $"every {Output.Duration(d.IntervalMs)}",
        _ => $"once at {Output.Time(d.AtMs)}",
    };
}
