namespace Flo.Runtime.Lifecycle;

/// <summary>
/// Ordered stages of silo start (ascending) and stop (descending), with gaps so components can slot in between
/// (Orleans' ServiceLifecycleStage).
/// </summary>
public static class ServiceLifecycleStage
{
    /// <summary>First stage.</summary>
    public const int First = int.MinValue;

    /// <summary>Telemetry and other things everything else uses.</summary>
    public const int RuntimeInitialize = 2000;

    /// <summary>Runtime services (messaging).</summary>
    public const int RuntimeServices = 4000;

    /// <summary>Storage: schema applied, connections ready.</summary>
    public const int RuntimeStorage = 6000;

    /// <summary>The catalog and other grain services; stopping here deactivates every grain.</summary>
    public const int RuntimeGrainServices = 8000;

    /// <summary>Application services.</summary>
    public const int ApplicationServices = 10000;

    /// <summary>Just before the silo serves requests.</summary>
    public const int BecomeActive = 19999;

    /// <summary>The silo serves requests; stopping here stops accepting them.</summary>
    public const int Active = 20000;

    /// <summary>Last stage.</summary>
    public const int Last = int.MaxValue;
}

/// <summary>The silo's ordered start-up and shutdown.</summary>
public interface ISiloLifecycle
{
    /// <summary>Runs <paramref name="onStart"/> when the silo reaches <paramref name="stage"/> on the way up, and <paramref name="onStop"/> on the way down.</summary>
    void Subscribe(string observerName, int stage, Func<CancellationToken, Task> onStart, Func<CancellationToken, Task>? onStop = null);
}

/// <summary>A component that subscribes to lifecycle stages. Register it in DI as <c>ILifecycleParticipant&lt;ISiloLifecycle&gt;</c>.</summary>
public interface ILifecycleParticipant<in TLifecycle>
{
    /// <summary>Subscribes to the stages the component needs.</summary>
    void Participate(TLifecycle lifecycle);
}
