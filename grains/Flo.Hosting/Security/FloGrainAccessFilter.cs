using System.Text;
using Flo.Security;

namespace Flo.Hosting.Security;

/// <summary>
/// Checks every grain call that comes from an Orleans client against the token the client put in the call's
/// <c>RequestContext</c> (<see cref="FloTokenContext.Key"/>): the namespace of the target grain's key and read or write
/// access (<see cref="GrainAccessRules"/>). A refused call throws <see cref="FloAccessDeniedException"/> before the grain
/// method runs. Registered only when tokens are configured.
/// </summary>
/// <remarks>
/// <para>Which calls are checked: those whose sender (<see cref="IGrainCallContext.SourceId"/>) is a client connected
/// through a gateway, or is unknown. Calls between grains (a run settling with its dispatch partition, a schedule's
/// reminder invoking its action) and calls from a silo's own hosted client (the HTTP and RESP endpoints, which check
/// their own tokens, and a <c>FloClient</c> inside a silo) are the platform's own and pass. A hosted client's id is
/// Orleans' <c>hosted-{silo}</c> client id; calls to system targets are Orleans' plumbing and pass too.</para>
/// <para>The token is removed from the request context before the grain runs, so it reaches neither the grains this
/// grain calls nor the observers of other clients it notifies.</para>
/// </remarks>
internal sealed class FloGrainAccessFilter(FloAccessControl access) : IIncomingGrainCallFilter
{
    private static readonly byte[] HostedClientPrefix = "hosted-"u8.ToArray();

    // Not async, so no state machine per call: Orleans' invoker that runs this is an async method, so removing the
    // token here holds for the grain's turn and nothing else.
    public Task Invoke(IIncomingGrainCallContext context)
        => access.Enabled && FromOutside(context) && Refusal(context) is { } refused ? Task.FromException(refused) : context.Invoke();

    /// <summary>Takes the token out of the request context and checks it; null when the call may run.</summary>
    private FloAccessDeniedException? Refusal(IIncomingGrainCallContext context)
    {
        var token = RequestContext.Get(FloTokenContext.Key) as string;
        if (token is not null)
        {
            RequestContext.Remove(FloTokenContext.Key);
        }
        var rule = GrainAccessRules.Of(context.InterfaceMethod);
        if (rule.Scope == GrainAccessRules.Scope.Open)
        {
            return null;
        }
        var grant = string.IsNullOrEmpty(token) ? null : access.Find(token);
        if (grant is not null && Allows(grant, rule, context.TargetId))
        {
            return null;
        }
        var denial = string.IsNullOrEmpty(token) ? FloAccessDenial.NoToken : grant is null ? FloAccessDenial.UnknownToken : FloAccessDenial.NotGranted;
        return new FloAccessDeniedException(denial, NamespaceOf(rule, context.TargetId), rule.Write, rule.Operation, grant?.Name);
    }

    /// <summary>A call from outside the platform: from a gateway client (not a silo's hosted one) or of unknown origin, to a grain.</summary>
    private static bool FromOutside(IIncomingGrainCallContext context)
    {
        if (context.TargetId.IsSystemTarget())
        {
            return false;
        }
        return context.SourceId is not { } source || (source.IsClient() && !source.Key.AsSpan().StartsWith(HostedClientPrefix));
    }

    private static bool Allows(FloTokenGrant grant, GrainAccessRules.Rule rule, GrainId target)
    {
        switch (rule.Scope)
        {
            case GrainAccessRules.Scope.AnyToken:
                return true;
            case GrainAccessRules.Scope.Cluster:
                return grant.Allows(null, rule.Write);
        }
        if (rule.Write ? grant.WritesAll : grant.ReadsAll)
        {
            return true;
        }
        var ns = NamespaceBytes(rule, target);
        if (ns.Length > 256)
        {
            return false;
        }
        // Namespaces are ASCII; the key's UTF-8 bytes decode into a span on the stack, no string per call.
        Span<char> chars = stackalloc char[ns.Length];
        var count = Encoding.UTF8.GetChars(ns, chars);
        return grant.Allows(chars[..count], rule.Write);
    }

    private static ReadOnlySpan<byte> NamespaceBytes(GrainAccessRules.Rule rule, GrainId target)
    {
        var key = target.Key.AsSpan();
        if (rule.Scope == GrainAccessRules.Scope.WholeKey)
        {
            return key;
        }
        var slash = key.IndexOf((byte)'/');
        return slash < 0 ? key : key[..slash];
    }

    private static string? NamespaceOf(GrainAccessRules.Rule rule, GrainId target)
        => rule.Scope is GrainAccessRules.Scope.KeyPrefix or GrainAccessRules.Scope.WholeKey ? Encoding.UTF8.GetString(NamespaceBytes(rule, target)) : null;
}
