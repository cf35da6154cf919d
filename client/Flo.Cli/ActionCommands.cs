using System.CommandLine;
using Flo.Actions;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Flo.Cli;

/// <summary><c>flo action invoke|status|runs|retry|cancel|list</c>: actions and their runs.</summary>
public static class ActionCommands
{
    /// <summary>The <c>action</c> command and its subcommands.</summary>
    public static Command Create(CliContext cli) => new("action", "Actions: invoke, follow and manage runs")
    {
        Invoke(cli), Status(cli), Runs(cli), Retry(cli), Cancel(cli), List(cli),
    };

    private static Argument<string> RunId() => new("run-id") { Description = "The run" };

    private static Command Invoke(CliContext cli)
    {
        var name = new Argument<string>("name") { Description = "The action" };
        var payload = new Argument<string?>("payload") { Description = "The payload: UTF-8 text, @file, @- (stdin), or @@text for text starting with @ (default: empty)", Arity = ArgumentArity.ZeroOrOne };
        var jsonPayload = new Option<string?>("--json-payload") { Description = "The payload as JSON text (checked to parse), or @file" };
        var priority = new Option<int?>("--priority") { Description = "Higher runs first (default: the action's)" };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "A repeat with this key returns the first run's id (a different payload is refused, exit 3)" };
        var delayMs = new Option<long>("--delay-ms") { Description = "Not given to a worker before this long" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the run to finish and print it (exit 6 unless it completed)" };
        var timeoutMs = new Option<long?>("--timeout-ms") { Description = "With --wait: give up waiting after this long (default: no limit; Ctrl+C stops waiting)" };
        var command = new Command("invoke", "Invokes an action; prints the run id, or with --wait the finished run") { name, payload, jsonPayload, priority, idempotencyKey, delayMs, wait, timeoutMs };
        command.Validators.Add(r =>
        {
            if (r.GetValue(payload) is not null && r.GetValue(jsonPayload) is not null)
            {
                r.AddError("Give the payload as an argument or with --json-payload, not both.");
            }
            if (r.GetValue(timeoutMs) is not null && !r.GetValue(wait))
            {
                r.AddError("--timeout-ms needs --wait.");
            }
        });
        cli.Handle(command, async (x, ct) =>
        {
            var bytes = x.Get(jsonPayload) is { } json
                ? await x.JsonAsync(json, "--json-payload", ct).ConfigureAwait(false)
                : x.Get(payload) is { } text ? await x.PayloadAsync(text, ct).ConfigureAwait(false) : [];
            var runId = await x.Client.Action.InvokeAsync(x.Get(name), bytes, new ActionInvokeOptions(x.Get(priority), x.Get(idempotencyKey), x.Get(delayMs)), ct).ConfigureAwait(false);
            if (!x.Get(wait))
            {
                x.Output.Result(new { RunId = runId, Action = x.Get(name) }, () => Output.Line(runId));
                return ExitCodes.Ok;
            }
            var timeout = x.Get(timeoutMs) is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
            var run = await x.Client.Action.WaitAsync(runId, timeout, cancellationToken: ct).ConfigureAwait(false);
            PrintRun(x.Output, run);
            if (run.Status != RunStatus.Completed)
            {
                x.Output.Error($"run {run.RunId} {Output.Enum(run.Status)}{(run.Error is { } error ? ": " + error : "")}");
                return ExitCodes.RunNotCompleted;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Status(CliContext cli)
    {
        var runId = RunId();
        var command = new Command("status", "A run with its attempts, result and errors") { runId };
        cli.Handle(command, async (x, ct) =>
        {
            PrintRun(x.Output, await x.Client.Action.GetRunAsync(x.Get(runId), cancellationToken: ct).ConfigureAwait(false));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Runs(CliContext cli)
    {
        var status = new Option<RunStatus?>("--status")
        {
            Description = "Only runs in this status: pending, running, retrying, completed, failed, cancelled, timed_out",
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                // snake_case as printed by --json, kebab-case or the enum's own name all name the same status.
                if (Enum.TryParse<RunStatus>(text.Replace("_", "").Replace("-", ""), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
                {
                    return parsed;
                }
                r.AddError($"'{text}' is not a run status (pending, running, retrying, completed, failed, cancelled, timed_out).");
                return null;
            },
        };
        status.CompletionSources.Add("pending", "running", "retrying", "completed", "failed", "cancelled", "timed_out");
        var action = new Option<string?>("--action") { Description = "Only runs of this action" };
        var limit = new Option<int>("--limit") { Description = "Most runs printed (1 to 1,000)", DefaultValueFactory = _ => 50 };
        var cursor = new Option<string?>("--cursor") { Description = "The next page (the previous listing's next cursor)" };
        var command = new Command("runs", "Runs newest first, by status and action") { status, action, limit, cursor };
        cli.Handle(command, async (x, ct) =>
        {
            var page = await x.Client.Action.ListRunsAsync(new RunFilter(x.Get(status), x.Get(action)), new RunListOptions(x.Get(limit), x.Get(cursor)), ct).ConfigureAwait(false);
            x.Output.Result(new { page.Runs, page.NextCursor }, () =>
            {
                var table = Output.Table("run", "action", "status", "priority", "attempts", "submitted", "finished", "worker", "error");
                foreach (var r in page.Runs)
                {
                    Output.Row(table, r.RunId, r.Action, Output.Enum(r.Status), r.Priority.ToString(), r.Attempts.ToString(), Output.Time(r.SubmittedAtMs), Output.Time(r.FinishedAtMs), r.WorkerId ?? "-", r.Error ?? "");
                }
                return Output.Footer(table, page.NextCursor is { } next ? $"{page.Runs.Count} run(s); more: --cursor {next}" : $"{page.Runs.Count} run(s)");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Retry(CliContext cli)
    {
        var runId = RunId();
        var command = new Command("retry", "Runs a finished run again as a new run; prints the new run's id (exit 3 if it has not finished)") { runId };
        cli.Handle(command, async (x, ct) =>
        {
            var newRun = await x.Client.Action.RetryAsync(x.Get(runId), cancellationToken: ct).ConfigureAwait(false);
            x.Output.Result(new { RunId = newRun, RetryOf = x.Get(runId) }, () => Output.Line(newRun));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Cancel(CliContext cli)
    {
        var runId = RunId();
        var command = new Command("cancel", "Cancels a run unless it finished (exit 3 if it had)") { runId };
        cli.Handle(command, async (x, ct) =>
        {
            var id = x.Get(runId);
            if (!await x.Client.Action.CancelAsync(id, cancellationToken: ct).ConfigureAwait(false))
            {
                var run = await x.Client.Action.GetRunAsync(id, cancellationToken: ct).ConfigureAwait(false);
                throw CliException.Conflict($"run {id} already finished ({Output.Enum(run.Status)})");
            }
            x.Output.Result(new { RunId = id, Cancelled = true }, () => Output.Line($"{id}: cancelled"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext cli)
    {
        var command = new Command("list", "The namespace's registered actions");
        cli.Handle(command, async (x, ct) =>
        {
            var actions = await x.Client.Action.ListActionsAsync(cancellationToken: ct).ConfigureAwait(false);
            x.Output.Result(new { Namespace = x.Connection.Namespace, Actions = actions }, () =>
            {
                var table = Output.Table("action", "timeout", "max retries", "retry delay", "backoff", "priority", "retention", "partitions");
                foreach (var a in actions)
                {
                    Output.Row(table, a.Name, Output.Duration(a.TimeoutMs), a.MaxRetries.ToString(), Output.Duration(a.RetryDelayMs), a.Backoff.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
                        a.Priority.ToString(), Output.Duration(a.RetentionMs), a.Partitions.ToString());
                }
                return Output.Footer(table, $"{actions.Count} action(s) in namespace '{x.Connection.Namespace}'");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void PrintRun(Output output, ActionRun run)
    {
        var (payload, payloadEncoding) = Payloads.Describe(run.Payload);
        var (result, resultEncoding) = Payloads.Describe(run.Result);
        output.Result(
            new
            {
                run.RunId,
                run.Namespace,
                run.Action,
                run.Status,
                run.Priority,
                Payload = payload,
                PayloadEncoding = payloadEncoding,
                Result = run.Result is null ? null : result,
                ResultEncoding = run.Result is null ? null : resultEncoding,
                run.Error,
                run.IdempotencyKey,
                run.SubmittedAtMs,
                run.StartedAtMs,
                run.FinishedAtMs,
                run.NextAttemptAtMs,
                run.MaxAttempts,
                run.WorkerId,
                run.Attempts,
            },
            () => RunView(run));
    }

    private static IRenderable RunView(ActionRun run)
    {
        var fields = Output.Fields(
            ("run", run.RunId),
            ("action", run.Action),
            ("status", Output.Enum(run.Status)),
            ("priority", run.Priority.ToString()),
            ("attempts", $"{run.Attempts.Count} of {run.MaxAttempts}"),
            ("submitted", Output.Time(run.SubmittedAtMs)),
            ("started", Output.Time(run.StartedAtMs)),
            ("finished", Output.Time(run.FinishedAtMs)),
            ("next attempt", Output.Time(run.NextAttemptAtMs)),
            ("worker", run.WorkerId ?? "-"),
            ("idempotency key", run.IdempotencyKey ?? "-"),
            ("payload", Payloads.Show(run.Payload)),
            ("result", run.Result is null ? "-" : Payloads.Show(run.Result)),
            ("error", run.Error ?? "-"));
        if (run.Attempts.Count == 0)
        {
            return fields;
        }
        var attempts = Output.Table("attempt", "worker", "started", "finished", "outcome", "error");
        foreach (var a in run.Attempts)
        {
            Output.Row(attempts, a.Number.ToString(), a.WorkerId, Output.Time(a.StartedAtMs), Output.Time(a.FinishedAtMs), Output.Enum(a.Outcome), a.Error ?? "");
        }
        return new Rows(fields, attempts);
    }
}
