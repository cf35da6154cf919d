using Flo.Dashboard;
using Flo.Security;
using Microsoft.AspNetCore.Http;

namespace Flo.Hosting;

/// <summary>
/// The access tokens on HTTP (<c>Cluster:Security</c>, <c>Cluster:HttpToken</c>): when tokens are configured, every
/// request except <c>/health/*</c> and the dashboard's static files must carry <c>Authorization: Bearer &lt;token&gt;</c>
/// whose grant covers the route: <c>/v1/ns/{ns}/...</c> needs namespace <c>ns</c>, every other route (<c>/v1/namespaces</c>,
/// <c>/v1/cluster</c>, <c>/cluster/members</c>, <c>/metrics</c>, <c>/openapi</c>, <c>/orleans/</c>) a token granting
/// <c>*</c>; GET, HEAD and OPTIONS need read access, every other method write. No token or an unknown one: 401
/// problem+json <c>Unauthorized</c> with <c>WWW-Authenticate: Bearer</c>; a token without the grant: 403
/// <c>Forbidden</c>. Event streams may carry the token as <c>?access_token=</c> (a browser's EventSource cannot send
/// headers) and the Orleans dashboard under <c>/orleans</c> as the dashboard page's cookie (its own scripts send no header).
/// </summary>
public sealed class FloHttpTokenMiddleware(RequestDelegate next, FloAccessControl access)
{
    private const string NamespacePrefix = "/v1/ns/";

    /// <summary>Lets the request through when it needs no token or its token grants the route; otherwise answers 401 or 403.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path;
        if (!access.Enabled || path.StartsWithSegments("/health", StringComparison.Ordinal) || DashboardAccess.IsStaticFile(path))
        {
            return next(context);
        }
        var ns = NamespaceOf(path);
        var write = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        var denial = access.Check(Presented(context, path), ns, write, out var grant);
        if (denial is not { } refused)
        {
            return next(context);
        }
        var operation = $"{request.Method} {path}";
        if (refused == FloAccessDenial.NotGranted)
        {
            return Problem(context, StatusCodes.Status403Forbidden, "Forbidden", FloAccessDeniedException.Describe(refused, ns, write, operation, grant?.Name), ns, write);
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var detail = refused == FloAccessDenial.NoToken
            ? "This silo requires a token: send 'Authorization: Bearer <token>' (Cluster:Security:Tokens, Cluster:HttpToken)."
            : "The token sent is not one this silo knows.";
        return Problem(context, StatusCodes.Status401Unauthorized, "Unauthorized", detail, ns, write);
    }

    /// <summary>The namespace of a <c>/v1/ns/{ns}/...</c> route; null for every other route (cluster-wide).</summary>
    internal static string? NamespaceOf(PathString path)
    {
        var value = path.Value;
        if (value is null || !value.StartsWith(NamespacePrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var end = value.IndexOf('/', NamespacePrefix.Length);
        var ns = end < 0 ? value[NamespacePrefix.Length..] : value[NamespacePrefix.Length..end];
        return ns.Length == 0 ? null : ns;
    }

    private static Task Problem(HttpContext context, int status, string code, string detail, string? ns, bool write)
        => Results.Problem(
            statusCode: status,
            title: code,
            detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["namespace"] = ns ?? FloTokenGrant.All, ["access"] = write ? "write" : "read" })
            .ExecuteAsync(context);

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
}
