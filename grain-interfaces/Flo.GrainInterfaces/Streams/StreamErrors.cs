using System.Runtime.CompilerServices;
using Flo.Errors;

namespace Flo.Streams;

/// <summary>Registers the stream exception types so a grain's errors arrive typed.</summary>
internal static class StreamErrors
{
#pragma warning disable CA2255 // Registering wire error types when the contract assembly loads is the point: no caller can forget it.
    [ModuleInitializer]
    internal static void Register() => RemoteExceptionMapper.Register<GroupNotFoundException>(m => new GroupNotFoundException(m));
#pragma warning restore CA2255
}
