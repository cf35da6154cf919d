using System.Text;
using Flo;
using ServiceSample.Grains;

namespace ServiceSample;

/// <summary>
/// The sample service: <c>GET /hello/{name}</c> counts the visitor's visits in its own grain
/// (<see cref="IVisitCounterGrain"/>) and stores the last visitor in the platform's KV store; <c>GET /kv/{key}</c> reads a key.
/// </summary>
public static class SampleApp
{
    /// <summary>The KV key the last visitor's name is stored under.</summary>
    public const string LastVisitorKey = "sample:last-visitor";

    /// <summary>
    /// Builds the app. Configuration: section <c>Flo</c> (<c>Flo:Gateways:0=localhost:9000</c> or
    /// <c>Flo:MembershipConnectionString=...</c>, <c>Flo:ClusterId</c>, ...; see <c>appsettings.json</c>), and
    /// <c>--urls</c> for where to listen (tests pass <c>http://127.0.0.1:0</c>).
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddFloClient(builder.Configuration.GetSection("Flo"));

        var app = builder.Build();
        app.Use(MapErrors);

        app.MapGet("/hello/{name}", async (string name, FloClient flo, CancellationToken cancellationToken) =>
        {
            var visits = await flo.Grains.GetGrain<IVisitCounterGrain>(name).Visit();
            await flo.Kv.PutAsync(LastVisitorKey, Encoding.UTF8.GetBytes(name), cancellationToken: cancellationToken);
            return Results.Ok(new HelloResponse($"Hello, {name}!", visits.Visits));
        });

        app.MapGet("/kv/{key}", async (string key, FloClient flo, CancellationToken cancellationToken) =>
        {
            var entry = await flo.Kv.GetAsync(key, cancellationToken: cancellationToken);
            return entry is null
                ? Results.NotFound()
                : Results.Ok(new KvResponse(entry.Key, Encoding.UTF8.GetString(entry.Value), entry.Version));
        });

        return app;
    }

    /// <summary>Typed platform errors as HTTP statuses.</summary>
    private static async Task MapErrors(HttpContext context, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (InvalidArgumentException exception)
        {
            await Problem(context, StatusCodes.Status400BadRequest, exception);
        }
        catch (ClusterUnavailableException exception)
        {
            // Nothing ran: the client may simply try again.
            await Problem(context, StatusCodes.Status503ServiceUnavailable, exception);
        }
        catch (CallOutcomeUnknownException exception)
        {
            // It may have run: say so rather than pretend it failed.
            await Problem(context, StatusCodes.Status504GatewayTimeout, exception);
        }
    }

    private static Task Problem(HttpContext context, int status, Exception exception)
        => Results.Problem(detail: exception.Message, statusCode: status, title: exception.GetType().Name).ExecuteAsync(context);
}

/// <summary>The answer of <c>GET /hello/{name}</c>.</summary>
public sealed record HelloResponse(string Message, long Visits);

/// <summary>The answer of <c>GET /kv/{key}</c>: the value as UTF-8 text.</summary>
public sealed record KvResponse(string Key, string Value, long Version);
