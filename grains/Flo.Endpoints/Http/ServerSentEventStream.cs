using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace Flo.Endpoints.Http;

/// <summary>
/// An event stream's messages with a <c>ping</c> every <see cref="KeepAlive"/> while no event comes, so idle connections
/// survive proxies that close silent ones. Shared by the management and flow event streams.
/// </summary>
internal static class ServerSentEventStream
{
    /// <summary>How long a stream may stay silent before a <c>ping</c>.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Each event of <paramref name="source"/> as <paramref name="message"/> makes it, pings between them.</summary>
    public static async IAsyncEnumerable<SseItem<string>> WithPings<T>(IAsyncEnumerable<T> source, Func<T, SseItem<string>> message, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var events = source.GetAsyncEnumerator(cancellationToken);
        var next = events.MoveNextAsync().AsTask();
        while (true)
        {
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var delay = Task.Delay(KeepAlive, idle.Token);
                if (await Task.WhenAny(next, delay).ConfigureAwait(false) != next)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return new SseItem<string>("{}", "ping");
                    continue;
                }
                await idle.CancelAsync().ConfigureAwait(false);
            }
            if (!await next.ConfigureAwait(false))
            {
                yield break;
            }
            yield return message(events.Current);
            next = events.MoveNextAsync().AsTask();
        }
    }
}
