using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Flo.Dashboard;

/// <summary>
/// The live web dashboard every silo serves on its HTTP port: the page at <c>/</c> and its scripts and styles under
/// <c>/dashboard/</c>, all embedded in this assembly (hand-written, no framework, nothing fetched from elsewhere). The
/// page reads the platform's HTTP API (<c>/v1/...</c>) and follows the namespace's event stream; it links to the Orleans
/// runtime dashboard at <c>/orleans/</c>.
/// </summary>
public static class FloDashboard
{
    /// <summary>Where the page's assets are served (the page itself is at <c>/</c>).</summary>
    public const string AssetPrefix = "/dashboard";

    private const string IndexFile = "index.html";

    // The files never change within a build: the module version id tells one build's files from another's.
    private static readonly string BuildTag = typeof(FloDashboard).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    // Created once: the manifest is read at construction.
    private static readonly Lazy<IFileProvider> Files = new(() => new ManifestEmbeddedFileProvider(typeof(FloDashboard).Assembly, "wwwroot"));

    /// <summary>
    /// Maps <c>GET /</c> (the page) and <c>GET /dashboard/{file}</c> (its assets). They are left out of the OpenAPI
    /// document: they are a page, not API.
    /// </summary>
    public static IEndpointRouteBuilder MapFloDashboard(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpContext context) => Serve(context, IndexFile)).ExcludeFromDescription();
        routes.MapGet(AssetPrefix + "/{**file}", (HttpContext context, string? file) => Serve(context, string.IsNullOrEmpty(file) ? IndexFile : file))
            .ExcludeFromDescription();
        return routes;
    }

    private static IResult Serve(HttpContext context, string path)
    {
        var file = Files.Value.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory || !ContentTypes.TryGetContentType(path, out var contentType))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "NotFound", detail: $"The dashboard has no file '{path}'.",
                extensions: new Dictionary<string, object?> { ["code"] = "NotFound" });
        }
        var headers = context.Response.Headers;
        // Revalidated on every load (an upgraded silo serves new files), cheap thanks to the ETag.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (path == IndexFile)
        {
            headers.ContentSecurityPolicy = DashboardAccess.ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
        }
        var etag = new EntityTagHeaderValue($"\"{BuildTag}-{path}\"");
        return Results.Stream(file.CreateReadStream(), contentType, lastModified: file.LastModified, entityTag: etag);
    }
}
