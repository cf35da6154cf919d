using System.Runtime.CompilerServices;
using Flo.Errors;

namespace Flo.Kv;

/// <summary>Registers the KV exception types so a grain's <see cref="InvalidArgumentException"/> arrives typed.</summary>
internal static class KvErrors
{
#pragma warning disable CA2255 // Registering wire error types when the contract assembly loads is the point: no caller can forget it.
    [ModuleInitializer]
    internal static void Register()
    {
        RemoteExceptionMapper.Register<InvalidArgumentException>(m => new InvalidArgumentException(m));
        RemoteExceptionMapper.Register<InvalidCursorException>(m => new InvalidCursorException(m));
    }
#pragma warning restore CA2255
}
