namespace Flo;

/// <summary>
/// Marks a grain method that may run more than once with the same effect as once (a read, a wait, an ack of given
/// sequence numbers). Orleans never resends a call; <c>FloClient</c> resends calls to methods marked with this
/// attribute or with <see cref="ReadOnlyAttribute"/> after a lost connection or a timeout, and reports any other
/// failed call as one that may have executed.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class IdempotentAttribute : Attribute
{
}
