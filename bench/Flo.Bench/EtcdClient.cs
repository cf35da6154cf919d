using System.Net.Http.Json;
using System.Text;

namespace Flo.Bench;

/// <summary>The etcd side of the durable KV benchmark: puts through etcd 3.4's JSON gateway (<c>POST /v3/kv/put</c>).</summary>
public sealed class EtcdClient(string endpoint) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(endpoint) };

    public async Task PutAsync(string key, byte[] value)
    {
        using var response = await http.PostAsJsonAsync("/v3/kv/put", new
        {
            key = Convert.ToBase64String(Encoding.UTF8.GetBytes(key)),
            value = Convert.ToBase64String(value),
        });
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => http.Dispose();
}
