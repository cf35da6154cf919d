using Microsoft.AspNetCore.Http;

namespace Flo.Dashboard;

/// <summary>
/// What the dashboard needs from a silo's HTTP token check: which paths are its static files (served without the
/// token, so the page can load and ask for one), how the page hands the token to event streams (EventSource cannot
/// send headers) and to the Orleans dashboard (its own scripts send none), and the page's content security policy.
/// </summary>
public static class DashboardAccess
{
    /// <summary>The query parameter that carries the token on an event stream's URL.</summary>
    public const string TokenQueryParameter = "access_token";

    /// <summary>
    /// The cookie the page sets (path <c>/orleans</c>, <c>SameSite=Strict</c>) once a token is entered, so the Orleans
    /// dashboard's own requests carry it.
    /// </summary>
    public const string TokenCookie = "flo_token";

    /// <summary>Where the Orleans runtime dashboard is mapped; the only place the token cookie is accepted.</summary>
    public const string OrleansDashboardPrefix = "/orleans";

    /// <summary>
    /// Everything comes from the silo itself: scripts and styles from files (no inline code, so data rendered as text
    /// can never run), requests and the event stream to the same origin, the favicon as a data URL.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Whether <paramref name="path"/> is the page or one of its assets (served without the token).</summary>
    public static bool IsStaticFile(PathString path)
        => path == "/" || path.StartsWithSegments(FloDashboard.AssetPrefix, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="path"/> is an event stream (<c>/v1/ns/{ns}/events</c>), which may carry the token in its query.</summary>
    public static bool IsEventStream(PathString path)
    {
        var value = path.Value;
        return value is not null && value.StartsWith("/v1/ns/", StringComparison.Ordinal) && value.EndsWith("/events", StringComparison.Ordinal)
               && value.AsSpan("/v1/ns/".Length).Count('/') == 1;
    }

    /// <summary>Whether <paramref name="path"/> belongs to the Orleans dashboard (which may carry the token as a cookie).</summary>
    public static bool IsOrleansDashboard(PathString path) => path.StartsWithSegments(OrleansDashboardPrefix, StringComparison.Ordinal);
}
