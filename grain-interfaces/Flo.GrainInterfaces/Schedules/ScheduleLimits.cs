using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Flo.Actions;

namespace Flo.Schedules;

/// <summary>Schedule ids, keys and checks shared by client, grains and HTTP.</summary>
public static class ScheduleLimits
{
    /// <summary>Longest description.</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>Shortest interval (1 s) and longest (1 year).</summary>
    public const long MinIntervalMs = 1_000, MaxIntervalMs = 366L * 24 * 3600 * 1000;

    /// <summary>
    /// The schedule's id: a hash of what makes it the same schedule (action, timing, time zone, args), so creating the
    /// same schedule twice returns the first one's id.
    /// </summary>
    public static string IdOf(ScheduleDefinition d)
    {
        var text = string.Join('\n', d.Action, d.Kind.ToString(), d.Cron ?? "", d.TimeZone ?? "",
            d.IntervalMs.ToString(CultureInfo.InvariantCulture), d.AtMs.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(d.Args));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16]);
    }

    /// <summary>Grain key of a schedule: <c>ns/id</c>.</summary>
    public static string Key(string ns, string id) => $"{ns}/{id}";

    /// <summary>Throws unless the id looks like one this platform issues (32 hex digits).</summary>
    public static void ValidateId(string? id)
    {
        if (id is not { Length: 32 } || !id.All(char.IsAsciiHexDigitLower))
        {
            throw new ScheduleArgumentException($"Schedule id must be 32 lowercase hex digits; got '{id}'.");
        }
    }

    /// <summary>Checks everything but the cron expression itself (parsed by the grain, which names the bad field).</summary>
    public static void Validate(ScheduleDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        try
        {
            ActionLimits.ValidateName(d.Action);
            ActionLimits.ValidatePayload(d.Args, "Args");
            if (d.MaxRetries is { } retries)
            {
                ActionLimits.ValidateRange(retries, 0, ActionLimits.MaxRetries, "MaxRetries");
            }
            if (d.RetryDelayMs is { } delay)
            {
                ActionLimits.ValidateRange(delay, 0, ActionLimits.MaxDelayMs, "RetryDelayMs");
            }
        }
        catch (ActionArgumentException e)
        {
            throw new ScheduleArgumentException(e.Message);
        }
        if (d.Description is { Length: > MaxDescriptionLength })
        {
            throw new ScheduleArgumentException($"Description is {d.Description.Length} characters; the limit is {MaxDescriptionLength}.");
        }
        switch (d.Kind)
        {
            case ScheduleKind.Cron when string.IsNullOrWhiteSpace(d.Cron):
                throw new ScheduleArgumentException("A cron schedule needs a cron expression.");
            case ScheduleKind.Interval when d.IntervalMs < MinIntervalMs || d.IntervalMs > MaxIntervalMs:
                throw new ScheduleArgumentException($"Interval must be between {MinIntervalMs} ms and {MaxIntervalMs} ms; got {d.IntervalMs}.");
            case ScheduleKind.Once when d.AtMs <= 0:
                throw new ScheduleArgumentException($"A once schedule needs a time (Unix ms); got {d.AtMs}.");
            case not (ScheduleKind.Cron or ScheduleKind.Interval or ScheduleKind.Once):
                throw new ScheduleArgumentException($"Unknown schedule kind {d.Kind}.");
        }
        if (d.MissedRuns is not (MissedRuns.RunOnce or MissedRuns.Skip or MissedRuns.RunEach))
        {
            throw new ScheduleArgumentException($"Unknown missed-runs rule {d.MissedRuns}.");
        }
    }
}
