using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Flo.Security.Tests;

/// <summary>
/// Tokens on HTTP: no token or an unknown one is 401 <c>Unauthorized</c>, another namespace or a read-only token writing
/// 403 <c>Forbidden</c> (problem+json naming the namespace and the access), routes without a namespace need a token
/// granting <c>*</c>; refused requests change nothing; the dashboard's routes for a namespace work with its token.
/// </summary>
[Trait("Category", "Security")]
[Collection(SecuredCollection.Name)]
public sealed class HttpAccessTests(SecuredCluster cluster) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{cluster.HttpPort}") };

    private static string NewKey() => $"h-{Guid.NewGuid():N}";

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task NoTokenOrAnUnknownOneIsUnauthorizedAndChangesNothing()
    {
        var key = NewKey();
        foreach (var token in new[] { null, "not-a-token-of-this-cluster" })
        {
            using var response = await SendAsync(HttpMethod.Put, $"/v1/ns/orders/kv/{key}", token, "x");
            var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
            Assert.Contains(token is null ? "requires a token" : "not one this silo knows", problem.GetProperty("detail").GetString());
        }
        await NothingAtAsync(key);
    }

    [Fact]
    public async Task AnotherNamespaceIsForbiddenAndChangesNothing()
    {
        var key = NewKey();
        using var response = await SendAsync(HttpMethod.Put, $"/v1/ns/orders/kv/{key}", cluster.BillingWriter, "x");
        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal("orders", problem.GetProperty("namespace").GetString());
        Assert.Equal("write", problem.GetProperty("access").GetString());
        Assert.Contains("'billing-writer'", problem.GetProperty("detail").GetString());
        using var read = await SendAsync(HttpMethod.Get, $"/v1/ns/orders/kv/{key}", cluster.BillingWriter);
        await ProblemAsync(read, HttpStatusCode.Forbidden, "Forbidden");
        await NothingAtAsync(key);
        using var own = await SendAsync(HttpMethod.Put, $"/v1/ns/billing/kv/{key}", cluster.BillingWriter, "mine");
        Assert.True(own.IsSuccessStatusCode, own.StatusCode.ToString());
    }

    [Fact]
    public async Task AReadOnlyTokenWritingIsForbiddenAndChangesNothing()
    {
        var key = NewKey();
        using (var put = await SendAsync(HttpMethod.Put, $"/v1/ns/orders/kv/{key}", cluster.OrdersWriter, "before"))
        {
            Assert.True(put.IsSuccessStatusCode, put.StatusCode.ToString());
        }
        foreach (var (method, body) in new[] { (HttpMethod.Put, "after"), (HttpMethod.Delete, (string?)null) })
        {
            using var response = await SendAsync(method, $"/v1/ns/orders/kv/{key}", cluster.OrdersReader, body);
            var problem = await ProblemAsync(response, HttpStatusCode.Forbidden, "Forbidden");
            Assert.Contains("needs write access to namespace 'orders'", problem.GetProperty("detail").GetString());
        }
        using var get = await SendAsync(HttpMethod.Get, $"/v1/ns/orders/kv/{key}", cluster.OrdersReader);
        Assert.Equal("before", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RoutesWithoutANamespaceNeedATokenGrantingEverything()
    {
        foreach (var path in new[] { "/v1/namespaces", "/v1/cluster", "/cluster/members", "/metrics", "/openapi/v1.json", "/orleans/" })
        {
            using var refused = await SendAsync(HttpMethod.Get, path, cluster.OrdersWriter);
            var problem = await ProblemAsync(refused, HttpStatusCode.Forbidden, "Forbidden");
            Assert.Equal("*", problem.GetProperty("namespace").GetString());
            using var allowed = await SendAsync(HttpMethod.Get, path, cluster.Auditor);
            Assert.True(allowed.IsSuccessStatusCode, $"{path}: {allowed.StatusCode}");
        }
        // Health and the dashboard's own files need no token.
        foreach (var path in new[] { "/health/live", "/", "/dashboard/dashboard.js" })
        {
            using var open = await SendAsync(HttpMethod.Get, path, token: null);
            Assert.True(open.IsSuccessStatusCode, $"{path}: {open.StatusCode}");
        }
    }

    [Fact]
    public async Task TheDashboardsRoutesForANamespaceWorkWithItsToken()
    {
        foreach (var path in new[] { "/v1/ns/orders/overview", "/v1/ns/orders/runs", "/v1/ns/orders/schedules", "/v1/ns/orders/queues/overview", "/v1/ns/orders/workers" })
        {
            using var response = await SendAsync(HttpMethod.Get, path, cluster.OrdersReader);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
        }
        // The event stream takes the token in its query (EventSource sends no headers).
        using var stream = await http.GetAsync($"/v1/ns/orders/events?access_token={cluster.OrdersReader}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var other = await http.GetAsync($"/v1/ns/billing/events?access_token={cluster.OrdersReader}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body);
        }
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    private async Task NothingAtAsync(string key)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v1/ns/orders/kv/{key}", cluster.Admin);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
