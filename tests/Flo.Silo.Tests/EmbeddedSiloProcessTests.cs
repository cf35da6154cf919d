using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flo.Silo.Tests;

/// <summary>
/// The silo executable as a newcomer runs it (<c>dotnet run --project silo</c>: one silo, localhost clustering,
/// SQLite): a real process, reached through its gateway, HTTP and RESP ports; a value written before a restart is
/// there after it.
/// </summary>
[Trait("Category", "Silo")]
public sealed class EmbeddedSiloProcessTests : IDisposable
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "flo-silo-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task TheEmbeddedSiloServesTheClientHttpAndRespAndKeepsDataAcrossARestart()
    {
        var ports = FreePorts(4);
        var key = "process-" + Guid.NewGuid().ToString("N");
        using (var silo = await StartAsync(ports))
        {
            await using var client = await FloClient.ConnectAsync($"127.0.0.1:{ports[0]}");
            Assert.Equal(1, await client.Kv.PutAsync(key, "one"u8.ToArray()));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}") };
            Assert.Equal("one", await http.GetStringAsync($"/v1/ns/default/kv/{key}"));
            Assert.Equal("+OK", await RespAsync(ports[3], $"SET {key}:resp two"));
            await StopAsync(silo);
        }
        using (var silo = await StartAsync(ports))
        {
            await using var client = await FloClient.ConnectAsync($"127.0.0.1:{ports[0]}");
            var entry = await client.Kv.GetAsync(key);
            Assert.NotNull(entry);
            Assert.Equal("one", Encoding.UTF8.GetString(entry.Value));
            Assert.Equal("$3", await RespAsync(ports[3], $"GET {key}:resp"));
            await StopAsync(silo);
        }
        Assert.True(File.Exists(Path.Combine(dataDirectory, "flo.db")));
    }

    private async Task<Process> StartAsync(int[] ports)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SiloAssembly());
        foreach (var arg in new[]
        {
            $"--Cluster:Endpoints:GatewayPort={ports[0]}", $"--Cluster:Endpoints:SiloPort={ports[1]}",
            $"--Cluster:Endpoints:HttpPort={ports[2]}", $"--Cluster:Endpoints:RespPort={ports[3]}",
            "--Cluster:Endpoints:ListenAddress=127.0.0.1", $"--Cluster:Storage:DataDirectory={dataDirectory}",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}"), Timeout = TimeSpan.FromSeconds(2) };
        // Ready when /health/ready says so; fails if the process exits, or if nothing comes for 60 s (a cold start
        // on a busy 2-core machine takes a few seconds).
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with {process.ExitCode}:\n{log}");
            }
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (started.Elapsed > TimeSpan.FromSeconds(60))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The silo did not become ready:\n{log}");
            }
            await Task.Delay(200);
        }
    }

    private static async Task StopAsync(Process process)
    {
        // SIGTERM: the host stops the silo gracefully (it leaves the membership table and deactivates its grains).
        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
    }

    private static async Task<string> RespAsync(int port, string inline)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(inline + "\r\n"));
        var buffer = new byte[256];
        var n = await socket.ReceiveAsync(buffer);
        return Encoding.ASCII.GetString(buffer, 0, n).Split("\r\n")[0];
    }

    private static string SiloAssembly()
    {
        // tests/Flo.Silo.Tests/bin/<Configuration>/net10.0 → silo/bin/<Configuration>/net10.0/Flo.Silo.dll
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var repository = here.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(repository, "silo", "bin", configuration, framework, "Flo.Silo.dll");
        Assert.True(File.Exists(path), $"The silo is not built at {path}");
        return path;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
