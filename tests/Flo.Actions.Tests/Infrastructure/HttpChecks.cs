using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Flo.Actions.Tests;

/// <summary>Assertions shared by the HTTP API tests: problem+json answers and the OpenAPI document.</summary>
internal static class HttpChecks
{
    /// <summary>Asserts a problem+json answer with <paramref name="status"/> and <paramref name="code"/>; returns the problem.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    /// <summary>Asserts that every route is in the OpenAPI document's <paramref name="paths"/> with a summary and a name.</summary>
    public static void AssertRoutes(JsonElement paths, IEnumerable<(string Path, string Method)> routes)
    {
        foreach (var (path, method) in routes)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing from the OpenAPI document");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is missing from the OpenAPI document");
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()), $"{method} {path} has no summary");
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("operationId").GetString()), $"{method} {path} has no name");
        }
    }

    /// <summary>Asserts an operation's success response and that each error response is problem+json.</summary>
    public static void AssertProblems(JsonElement operation, string ok, params string[] errors)
    {
        var responses = operation.GetProperty("responses");
        Assert.True(responses.TryGetProperty(ok, out _), $"no {ok} response in {responses}");
        foreach (var status in errors)
        {
            Assert.True(responses.TryGetProperty(status, out var response), $"no {status} response in {responses}");
            Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{status} is not application/problem+json: {response}");
        }
    }
}
