using System.Globalization;
using System.Text;
using System.Text.Json;
using Flo.Kv;

namespace Flo.Dataflow;

/// <summary>
/// Large values by reference: a node output port whose JSON exceeds a threshold is stored in the namespace's KV store
/// under <c>flow/{runId}/{node}/{generation}/{port}</c> by the process that ran the node, and <c>{"$flo_ref": key}</c>
/// travels instead (node grains, the run's grain, events, action payloads and HTTP answers hold only that); the process
/// that runs a consumer fetches the value before calling its function. The key is written before the generation's
/// result is reported, so a re-run overwrites the same key; the run's keys are deleted with the run.
/// </summary>
public static class FlowValueRefs
{
    /// <summary>The property of a reference: <c>{"$flo_ref": "flow/..."}</c>.</summary>
    public const string Property = "$flo_ref";

    /// <summary>Default threshold: port JSON above 64 KiB (UTF-8) is passed by reference.</summary>
    public const int DefaultThresholdBytes = 64 * 1024;

    private static readonly byte[] Prefix = Encoding.UTF8.GetBytes("{\"" + Property + "\":");

    /// <summary>The KV key of one port of one generation: <c>flow/{runId}/{node}/{generation}/{port}</c>.</summary>
    public static string Key(string runId, string node, int generation, int port)
        => string.Create(CultureInfo.InvariantCulture, $"{KeyPrefix(runId)}{node}/{generation}/{port}");

    /// <summary>The prefix of every key of a run: <c>flow/{runId}/</c>.</summary>
    public static string KeyPrefix(string runId) => $"flow/{runId}/";

    /// <summary>The reference JSON for <paramref name="key"/>.</summary>
    public static string Reference(string key)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(Property, key);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Whether <paramref name="json"/> is a reference, and to which key.</summary>
    public static bool TryGetKey(string? json, out string key)
    {
        key = "";
        // Cheap test first: a reference is written by Reference, so it starts exactly so; anything else is a value.
        if (json is null || !json.StartsWith("{\"" + Property + "\":", StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.TryGetProperty(Property, out var value) && value.ValueKind == JsonValueKind.String && document.RootElement.EnumerateObject().Count() == 1)
            {
                key = value.GetString()!;
                return true;
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    /// <summary>
    /// Stores every output port whose JSON is over <paramref name="thresholdBytes"/> (0 or less: none) in the KV store and
    /// returns the outputs with references in their place.
    /// </summary>
    public static async Task<IReadOnlyList<string>> StoreAsync(KvApi kv, string ns, string runId, string node, int generation, IReadOnlyList<string> outputs, int thresholdBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kv);
        ArgumentNullException.ThrowIfNull(outputs);
        if (thresholdBytes <= 0)
        {
            return outputs;
        }
        string[]? replaced = null;
        for (var port = 0; port < outputs.Count; port++)
        {
            var json = outputs[port];
            // A char is at most 3 UTF-8 bytes: short strings need no counting.
            if (json.Length <= thresholdBytes / 3 || Encoding.UTF8.GetByteCount(json) <= thresholdBytes)
            {
                continue;
            }
            var key = Key(runId, node, generation, port);
            await kv.PutAsync(ns, key, Encoding.UTF8.GetBytes(json), cancellationToken: cancellationToken).ConfigureAwait(false);
            replaced ??= [.. outputs];
            replaced[port] = Reference(key);
        }
        return replaced ?? outputs;
    }

    /// <summary>The value <paramref name="json"/> stands for: itself, or the stored value when it is a reference.</summary>
    /// <exception cref="FlowValueMissingException">The referenced key no longer exists.</exception>
    public static async Task<string> ResolveAsync(KvApi kv, string ns, string json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kv);
        if (!TryGetKey(json, out var key))
        {
            return json;
        }
        var entry = await kv.GetAsync(ns, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entry is null
            ? throw new FlowValueMissingException($"The value passed by reference under KV key '{key}' of namespace '{ns}' no longer exists (was the run deleted?).", key)
            : Encoding.UTF8.GetString(entry.Value);
    }
}
