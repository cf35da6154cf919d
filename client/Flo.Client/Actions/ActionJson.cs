using System.Text.Json;

namespace Flo.Actions;

/// <summary>The JSON settings of payloads and results written by the client's helpers: web defaults (camelCase).</summary>
public static class ActionJson
{
    /// <summary>The shared options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
