using System.Security.Cryptography;
using System.Text;
using Flo.Dashboard;
using Microsoft.AspNetCore.Http;

namespace Flo.Hosting;

/// <summary>
/// The silo's HTTP token (<see cref="FloSiloOptions.HttpToken"/>): when one is configured, every request except
/// <c>/health/*</c> and the dashboard's static files must carry <c>Authorization: Bearer &lt;token&gt;</c>, else it is
/// answered 401 problem+json <c>Unauthorized</c> with <c>WWW-Authenticate: Bearer</c>. Event streams may carry it as
/// <c>?access_token=</c> (a browser's EventSource cannot send headers) and the Orleans dashboard under <c>/orleans</c> as
/// the dashboard page's cookie (its own scripts send no header).
/// </summary>
public sealed class FloHttpTokenMiddleware
{
    private readonly RequestDelegate next;
    private readonly byte[] tokenHash;

    /// <summary>Checks every request against <paramref name="token"/> (not empty).</summary>
    public FloHttpTokenMiddleware(RequestDelegate next, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        this.next = next;
        tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Lets the request through when it needs no token or carries the right one; otherwise answers 401.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/health", StringComparison.Ordinal) || DashboardAccess.IsStaticFile(path) || Presented(context, path) is { } given && Matches(given))
        {
            return next(context);
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var problem = Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: "This silo requires a token: send 'Authorization: Bearer <token>' (Cluster:HttpToken).",
            extensions: new Dictionary<string, object?> { ["code"] = "Unauthorized" });
        return problem.ExecuteAsync(context);
    }

    /// <summary>The token the request presents where its path allows one; null when it presents none.</summary>
    private static string? Presented(HttpContext context, PathString path)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        if (DashboardAccess.IsEventStream(path) && request.Query.TryGetValue(DashboardAccess.TokenQueryParameter, out var query))
        {
            return query.ToString();
        }
        if (DashboardAccess.IsOrleansDashboard(path) && request.Cookies.TryGetValue(DashboardAccess.TokenCookie, out var cookie))
        {
            return Uri.UnescapeDataString(cookie);
        }
        return null;
    }

    // Hashes compared in constant time: a guess learns nothing from how long the comparison took, not even the length.
    private bool Matches(string given) => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), tokenHash);
}
