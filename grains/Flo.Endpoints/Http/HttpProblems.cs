using Flo.Kv;
using Microsoft.AspNetCore.Http;

namespace Flo.Endpoints.Http;

/// <summary>
/// Maps typed errors to RFC 7807 problem responses with a stable <c>code</c>: 400 InvalidArgument/InvalidCursor,
/// 404 KeyNotFound, 409 VersionConflict/KeyExists (with <c>current_version</c>), 404 MessageNotFound/GroupNotFound, 409 LeaseExpired, 413 ValueTooLarge,
/// 503 Unavailable, 504 Timeout.
/// </summary>
internal static class HttpProblems
{
    public static IResult From(Exception error) => error switch
    {
        InvalidArgumentException e => Problem(400, "InvalidArgument", e.Message),
        InvalidCursorException e => Problem(400, "InvalidCursor", e.Message),
        VersionConflictException e => Problem(409, "VersionConflict", e.Message, e.CurrentVersion),
        KeyExistsException e => Problem(409, "KeyExists", e.Message, e.CurrentVersion),
        Flo.Queues.MessageNotFoundException e => Problem(404, "MessageNotFound", e.Message),
        Flo.Queues.LeaseExpiredException e => Problem(409, "LeaseExpired", e.Message),
        Flo.Streams.GroupNotFoundException e => Problem(404, "GroupNotFound", e.Message),
        SiloUnavailableException e => Problem(503, "Unavailable", e.Message),
        GrainCallTimeoutException e => Problem(504, "Timeout", e.Message),
        _ => Problem(500, "Internal", error.Message),
    };

    public static IResult NotFound(string key) => Problem(404, "KeyNotFound", $"Key '{key}' does not exist.");

    public static IResult TooLarge(int limit) => Problem(413, "ValueTooLarge", $"The value is larger than {limit} bytes.");

    public static IResult Problem(int status, string code, string detail, long? currentVersion = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (currentVersion is { } v)
        {
            extensions["current_version"] = v;
        }
        return Results.Problem(detail: detail, statusCode: status, title: code, extensions: extensions);
    }
}
