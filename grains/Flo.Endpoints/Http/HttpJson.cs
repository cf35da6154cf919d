using System.Text.Json;
using Flo.Kv;
using Microsoft.AspNetCore.Http;

namespace Flo.Endpoints.Http;

/// <summary>What the JSON APIs share: typed errors to problems, request bodies that fail as InvalidArgument, base64 fields.</summary>
internal static class HttpJson
{
    /// <summary>Grain types returned as they are (stats, settings, info), in snake_case.</summary>
    public static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Runs a handler; typed platform errors (and unavailability, timeouts) become problem responses with their codes.</summary>
    public static async Task<IResult> RunAsync(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (Exception e) when (HttpProblems.IsExpected(e))
        {
            return HttpProblems.From(e);
        }
    }

    /// <summary>The JSON body, or an <see cref="InvalidArgumentException"/> saying why it is not the expected JSON.</summary>
    public static async Task<T> BodyAsync<T>(HttpContext context, bool allowEmpty = false, JsonSerializerOptions? options = null) where T : new()
    {
        if (allowEmpty && context.Request.ContentLength is 0 or null && !context.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return new T();
        }
        try
        {
            return await context.Request.ReadFromJsonAsync<T>(options, context.RequestAborted) ?? throw new InvalidArgumentException("The request body must be a JSON object.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidArgumentException($"The request body is not the expected JSON: {e.Message}");
        }
    }

    /// <summary>Decodes a required base64 field.</summary>
    public static byte[] Base64(string? value, string field)
    {
        if (value is null)
        {
            throw new InvalidArgumentException($"'{field}' (base64) is required.");
        }
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidArgumentException($"'{field}' is not valid base64.");
        }
    }
}
