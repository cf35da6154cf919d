using Flo.Kv;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Flo.Endpoints.Http;

/// <summary>
/// Every HTTP error is an RFC 9457 <c>application/problem+json</c> body with a stable <c>code</c> (and <c>title</c> =
/// the code). Typed platform errors: 400 InvalidArgument/InvalidCursor, 404 KeyNotFound, 404 MessageNotFound/GroupNotFound,
/// 404 ActionNotFound/RunNotFound/ScheduleNotFound/FlowRunNotFound/FlowNodeNotFound, 408 Timeout (a wait for a run or
/// flow run, with <c>run_status</c>; flow definition and argument errors are 400 InvalidArgument), 409 VersionConflict/KeyExists
/// (with <c>current_version</c>), 409 LeaseExpired, 409 IdempotencyConflict (with the first run's <c>run_id</c>), 409
/// StaleAttempt, 409 RunNotFinished (a retry of an unfinished run, with <c>run_status</c>), 409 FlowRunNotFinished (deleting
/// a flow run that runs, with <c>run_status</c>), 413 ValueTooLarge, 503 Unavailable, 504 Timeout. What ASP.NET Core answers by itself (through
/// <see cref="FloEndpoints.UseFloEndpoints"/>): 400 InvalidArgument (a route or query value of the wrong type, a
/// malformed request), 404 NotFound (no such route), 405 MethodNotAllowed, 413 ValueTooLarge (a body over the server's
/// limit), 415 UnsupportedMediaType (a JSON route sent another content type), 500 Internal.
/// </summary>
internal static class HttpProblems
{
    public static IResult From(Exception error) => error switch
    {
        InvalidCursorException e => Problem(400, "InvalidCursor", e.Message),
        InvalidArgumentException e => Problem(400, "InvalidArgument", e.Message),
        VersionConflictException e => Problem(409, "VersionConflict", e.Message, e.CurrentVersion),
        KeyExistsException e => Problem(409, "KeyExists", e.Message, e.CurrentVersion),
        Flo.Queues.MessageNotFoundException e => Problem(404, "MessageNotFound", e.Message),
        Flo.Queues.LeaseExpiredException e => Problem(409, "LeaseExpired", e.Message),
        Flo.Streams.GroupNotFoundException e => Problem(404, "GroupNotFound", e.Message),
        Flo.Actions.ActionNotFoundException e => Problem(404, "ActionNotFound", e.Message),
        Flo.Actions.RunNotFoundException e => Problem(404, "RunNotFound", e.Message),
        Flo.Actions.IdempotencyConflictException e => ProblemWith(409, "IdempotencyConflict", e.Message, ("run_id", e.RunId)),
        Flo.Actions.StaleAttemptException e => Problem(409, "StaleAttempt", e.Message),
        Flo.Actions.RunNotFinishedException e => ProblemWith(409, "RunNotFinished", e.Message, ("run_status", ActionHttpApi.Wire(e.Status))),
        Flo.Actions.RunWaitTimeoutException e => ProblemWith(408, "Timeout", e.Message, ("run_status", ActionHttpApi.Wire(e.Status))),
        Flo.Schedules.ScheduleNotFoundException e => Problem(404, "ScheduleNotFound", e.Message),
        Flo.Dataflow.FlowRunNotFoundException e => Problem(404, "FlowRunNotFound", e.Message),
        Flo.Dataflow.FlowNodeNotFoundException e => Problem(404, "FlowNodeNotFound", e.Message),
        Flo.Dataflow.FlowRunNotFinishedException e => ProblemWith(409, "FlowRunNotFinished", e.Message, ("run_status", ActionHttpApi.Wire(e.Status))),
        Flo.Dataflow.FlowRunWaitTimeoutException e => ProblemWith(408, "Timeout", e.Message, ("run_status", ActionHttpApi.Wire(e.Status))),
        Orleans.Runtime.SiloUnavailableException e => Problem(503, "Unavailable", e.Message),
        Orleans.Runtime.OrleansMessageRejectionException e => Problem(503, "Unavailable", e.Message),
        TimeoutException e => Problem(504, "Timeout", e.Message),
        _ => Problem(500, "Internal", error.Message),
    };

    /// <summary>Errors a handler turns into a problem (the rest are bugs: 500 through the exception handler).</summary>
    public static bool IsExpected(Exception error)
        => error is FloException or Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException;

    public static IResult NotFound(string key) => Problem(404, "KeyNotFound", $"Key '{key}' does not exist.");

    public static IResult TooLarge(int limit) => Problem(413, "ValueTooLarge", $"The value is larger than {limit} bytes.");

    public static IResult Problem(int status, string code, string detail, long? currentVersion = null)
        => ProblemWith(status, code, detail, currentVersion is { } v ? ("current_version", v) : null);

    /// <summary>A problem with one extension member besides <c>code</c> (what a client needs to act on the error).</summary>
    public static IResult ProblemWith(int status, string code, string detail, (string Name, object Value)? extension)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (extension is { } e)
        {
            extensions[e.Name] = e.Value;
        }
        return Results.Problem(detail: detail, statusCode: status, title: code, extensions: extensions);
    }

    /// <summary>The code of an error ASP.NET Core answered by itself (no handler ran, or one threw), by status.</summary>
    public static string CodeOf(int status) => status switch
    {
        400 => "InvalidArgument",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "Timeout",
        413 => "ValueTooLarge",
        415 => "UnsupportedMediaType",
        431 => "InvalidArgument",
        503 => "Unavailable",
        504 => "Timeout",
        >= 500 => "Internal",
        _ => "Http" + status,
    };

    /// <summary>
    /// Completes every problem written through <see cref="Microsoft.AspNetCore.Http.IProblemDetailsService"/> (status code
    /// pages, the exception handler): a <c>code</c> when the problem has none, the code as its title, and a detail saying
    /// what went wrong where ASP.NET Core knows it (a value that does not bind, a body too large).
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }
        if (context.Exception is { } escaped && IsExpected(escaped) && From(escaped) is ProblemHttpResult typed)
        {
            // A typed error no handler caught: the same problem a handler would have answered.
            problem.Title = typed.ProblemDetails.Title;
            problem.Detail = typed.ProblemDetails.Detail;
            foreach (var (name, value) in typed.ProblemDetails.Extensions)
            {
                problem.Extensions[name] = value;
            }
            return;
        }
        var request = context.HttpContext.Request;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var code = CodeOf(status);
        problem.Extensions["code"] = code;
        problem.Title = code;
        problem.Detail ??= context.Exception switch
        {
            BadHttpRequestException bad => bad.Message,
            not null => "An unexpected error occurred; the silo's log has it under this request's trace id.",
            null => status switch
            {
                400 => "The request is not valid: a route or query value does not have the documented type (see /openapi/v1.json).",
                404 => $"No route matches {request.Path} (see /openapi/v1.json).",
                405 => $"{request.Method} is not supported on {request.Path}; allowed: {context.HttpContext.Response.Headers.Allow}.",
                415 => $"This route takes application/json, not '{request.ContentType}'.",
                _ => null,
            },
        };
    }

    /// <summary>The status of an exception no handler caught (the exception handler's choice).</summary>
    public static int StatusOf(Exception error) => error switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ when IsExpected(error) => From(error) is ProblemHttpResult typed ? typed.StatusCode : 500,
        _ => 500,
    };
}
