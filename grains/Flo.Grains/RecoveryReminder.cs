namespace Flo.Grains;

/// <summary>
/// The reminder that brings back a grain holding timed work (leases, delays) after its silo was lost, so that work
/// still falls due when nobody calls. Registered once while the grain has such work, dropped when it has none; while
/// the grain is active its own timer does the timing, so the reminder only needs Orleans' usual one-minute period.
/// </summary>
/// <param name="grain">The grain it belongs to (which implements <see cref="IRemindable"/>).</param>
/// <param name="name">The reminder's name.</param>
/// <param name="onFailed">Logs a failed registration (the work still falls due while the grain stays active).</param>
internal sealed class RecoveryReminder(Grain grain, string name, Action<Exception> onFailed)
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private bool registered;

    /// <summary>Registers the reminder in the background unless it is registered.</summary>
    public void Ensure()
    {
        if (!registered)
        {
            registered = true;
            _ = RegisterAsync();
        }
    }

    /// <summary>Unregisters it: the grain holds nothing timed any more.</summary>
    public async Task DropAsync()
    {
        if (!registered)
        {
            return;
        }
        registered = false;
        if (await grain.GetReminder(name) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }
    }

    private async Task RegisterAsync()
    {
        try
        {
            await grain.RegisterOrUpdateReminder(name, Period, Period);
        }
        catch (Exception e)
        {
            registered = false;
            onFailed(e);
        }
    }
}
