using System.Runtime.CompilerServices;

// The generator's own tests check the FNV constant against Flo.StableHash directly.
[assembly: InternalsVisibleTo("Flo.Runtime.Tests")]

namespace System.Runtime.CompilerServices
{
    // netstandard2.0 lacks it; records and init accessors need it.
    internal static class IsExternalInit
    {
    }
}
