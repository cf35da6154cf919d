using System.Buffers.Binary;
using System.Net.Sockets;
using Flo.Messaging;
using Flo.Runtime.Tests.Infrastructure;
using Flo.Serialization;
using Flo.TestGrains.Runtime;

namespace Flo.Runtime.Tests.Runtime;

/// <summary>Hostile or broken input on the gateway closes that connection (or answers an error) and nothing else.</summary>
[Trait("Category", "Runtime")]
public sealed class ProtocolRobustnessTests(SingleSiloFixture fixture) : IClassFixture<SingleSiloFixture>
{
    private async Task<Socket> ConnectAsync(bool preamble = true)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", fixture.Cluster.Silos[0].GatewayPort);
        if (preamble)
        {
            await socket.SendAsync(ProtocolPreamble.Bytes.ToArray());
        }
        return socket;
    }

    private static async Task<bool> ClosedByPeerAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private async Task SiloStillServes()
    {
        var key = Guid.NewGuid().ToString();
        Assert.Equal(1, await fixture.Cluster.GrainFactory.GetGrain<ICounterGrain>(key).Add(1));
    }

    [Fact]
    public async Task UnknownProtocolIsClosed()
    {
        using var socket = await ConnectAsync(preamble: false);
        await socket.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        Assert.True(await ClosedByPeerAsync(socket));
        await SiloStillServes();
    }

    [Fact]
    public async Task OversizedFrameLengthClosesTheConnection()
    {
        using var socket = await ConnectAsync();
        var frame = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(frame, int.MaxValue);
        await socket.SendAsync(frame);
        Assert.True(await ClosedByPeerAsync(socket));
        await SiloStillServes();
    }

    [Fact]
    public async Task MalformedHeaderClosesTheConnection()
    {
        using var socket = await ConnectAsync();
        var frame = new byte[4 + 6];
        BinaryPrimitives.WriteInt32LittleEndian(frame, 6);
        frame[4] = 5; // header length 5, then a tag with an invalid varint run
        frame[5] = 0xFF; frame[6] = 0xFF; frame[7] = 0xFF; frame[8] = 0xFF; frame[9] = 0xFF;
        await socket.SendAsync(frame);
        Assert.True(await ClosedByPeerAsync(socket));
        await SiloStillServes();
    }

    [Fact]
    public async Task UnknownInterfaceOrMethodGetsAnErrorResponseAndTheConnectionStaysOpen()
    {
        using var socket = await ConnectAsync();
        using var writer = new WireWriter();
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        MessageCodec.Write(new Message { Kind = MessageKind.Request, RequestId = 1, TargetInterfaceId = 0xDEADBEEF, TargetKey = "k", MethodInterfaceId = 0xDEADBEEF, MethodId = 1, TimeoutMs = 5000 }, writer, output);
        var counter = Flo.Invocation.GrainInterface<ICounterGrain>.Info;
        MessageCodec.Write(new Message { Kind = MessageKind.Request, RequestId = 2, TargetInterfaceId = counter.Id, TargetKey = "k", MethodInterfaceId = counter.Id, MethodId = 12345, TimeoutMs = 5000 }, writer, output);
        await socket.SendAsync(output.WrittenMemory);

        var responses = await ReadResponsesAsync(socket, 3); // hello + two responses
        var r1 = Assert.Single(responses, m => m.RequestId == 1 && m.Kind == MessageKind.Response);
        Assert.Equal(ResponseStatus.NotFound, r1.Status);
        Assert.Contains("deadbeef", r1.ErrorMessage);
        var r2 = Assert.Single(responses, m => m.RequestId == 2 && m.Kind == MessageKind.Response);
        Assert.Equal(ResponseStatus.NotFound, r2.Status);
        Assert.Contains("ICounterGrain", r2.ErrorMessage);
        await SiloStillServes();
    }

    [Fact]
    public async Task ArgumentsThatDoNotDeserializeAreRejected()
    {
        using var socket = await ConnectAsync();
        using var writer = new WireWriter();
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var echo = Flo.Invocation.GrainInterface<IEchoGrain>.Info;
        var invokable = FindInvokable(echo, "EchoBytes");
        MessageCodec.Write(new Message
        {
            Kind = MessageKind.Request, RequestId = 7, TargetInterfaceId = echo.Id, TargetKey = "k", MethodInterfaceId = echo.Id,
            MethodId = invokable.MethodId, TimeoutMs = 5000, Body = new byte[] { 3, 200, 1 }, // field 0 length-prefixed, length runs past the end
        }, writer, output);
        await socket.SendAsync(output.WrittenMemory);
        var responses = await ReadResponsesAsync(socket, 2);
        var r = Assert.Single(responses, m => m.RequestId == 7);
        Assert.Equal(ResponseStatus.Rejected, r.Status);
    }

    [Fact]
    public async Task OversizedMessageFromAClientClosesOnlyThatConnection()
    {
        await using var victim = await fixture.Cluster.ConnectClientAsync();
        var big = new byte[2 * 1024 * 1024];
        await Assert.ThrowsAsync<SiloUnavailableException>(() => victim.GetGrain<IEchoGrain>("big").EchoBytes(big));
        await SiloStillServes();
        // The client reconnects on its next call.
        Assert.Equal(3, (await victim.GetGrain<IEchoGrain>("small").EchoBytes([1, 2, 3])).Length);
    }

    private static Flo.Invocation.IInvokable FindInvokable(Flo.Invocation.GrainInterfaceInfo info, string name)
    {
        // Method ids are FNV-1a of "Name(arity)"; EchoBytes takes one argument.
        var invokable = info.CreateInvokable(StableHash.Of($"{name}(1)"));
        Assert.NotNull(invokable);
        return invokable!;
    }

    private static async Task<List<Message>> ReadResponsesAsync(Socket socket, int count)
    {
        var messages = new List<Message>();
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (messages.Count < count)
        {
            var n = await socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
            Assert.True(n > 0, "connection closed before the responses arrived");
            buffer.AddRange(chunk.AsSpan(0, n).ToArray());
            var seq = new System.Buffers.ReadOnlySequence<byte>(buffer.ToArray());
            while (MessageCodec.TryRead(ref seq, 1 << 20, out var m))
            {
                messages.Add(m!);
            }
            buffer = System.Buffers.BuffersExtensions.ToArray(seq).ToList();
        }
        return messages;
    }
}
