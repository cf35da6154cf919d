namespace Flo.Storage.Tests.AdoNet;

public interface IAdoNetTestGrain : IGrainWithStringKey
{
    Task Set(string text);

    Task<(string? Text, string? Etag, Guid Activation)> Get();

    Task Deactivate();

    Task RegisterReminder(string name);

    Task<List<string>> ListReminders();
}

[GenerateSerializer, Alias("flo.tests.AdoNetState")]
public sealed class AdoNetState
{
    [Id(0)] public string? Text { get; set; }
}

/// <summary>A user's grain on Orleans' own ADO.NET storage and reminders.</summary>
public sealed class AdoNetTestGrain([PersistentState("s", "adonet")] IPersistentState<AdoNetState> state) : Grain, IAdoNetTestGrain, IRemindable
{
    private readonly Guid activation = Guid.NewGuid();

    public async Task Set(string text)
    {
        state.State.Text = text;
        await state.WriteStateAsync();
    }

    public Task<(string? Text, string? Etag, Guid Activation)> Get() => Task.FromResult((state.State.Text, state.Etag, activation));

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task RegisterReminder(string name) => this.RegisterOrUpdateReminder(name, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    public async Task<List<string>> ListReminders()
        => [.. (await this.GetReminders()).Select(r => r.ReminderName).Order()];

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
