

namespace Flo.Queues;

/// <summary>Checks queue settings wherever they enter (client, HTTP, grain).</summary>
public static class QueueSettingsValidator
{
    /// <summary>Throws <see cref="InvalidArgumentException"/> unless every setting is in range.</summary>
    public static void Validate(QueueSettings settings)
    {
        if (settings is null)
        {
            throw new QueueArgumentException("Settings are required.");
        }
        if (settings.Partitions is < 1 or > QueueLimits.MaxPartitions)
        {
            throw new QueueArgumentException($"Partitions must be 1 to {QueueLimits.MaxPartitions}; got {settings.Partitions}.");
        }
        if (settings.MaxDeliveries is < 1 or > 1000)
        {
            throw new QueueArgumentException($"MaxDeliveries must be 1 to 1000; got {settings.MaxDeliveries}.");
        }
        if (settings.DefaultVisibilityTimeoutMs < 1 || settings.DefaultVisibilityTimeoutMs > QueueLimits.MaxVisibilityTimeoutMs)
        {
            throw new QueueArgumentException($"DefaultVisibilityTimeoutMs must be 1 to {QueueLimits.MaxVisibilityTimeoutMs}; got {settings.DefaultVisibilityTimeoutMs}.");
        }
        if (settings.DlqMaxSize is < 1 or > 10_000_000)
        {
            throw new QueueArgumentException($"DlqMaxSize must be 1 to 10,000,000; got {settings.DlqMaxSize}.");
        }
        QueueLimits.ValidateRange(settings.DedupWindowMs, QueueLimits.MaxDelayMs, "DedupWindowMs");
    }
}
