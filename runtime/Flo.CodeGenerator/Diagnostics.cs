using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Flo.CodeGenerator
{
    /// <summary>Errors the generator reports. Each stops code generation for the offending type only.</summary>
    internal static class FloDiagnostics
    {
        private static DiagnosticDescriptor D(string id, string title, string message)
            => new DiagnosticDescriptor(id, title, message, "Flo.CodeGenerator", DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ReturnType = D("FLO001", "Unsupported grain method return type",
            "Grain method {0} must return Task, Task<T>, ValueTask or ValueTask<T>");
        public static readonly DiagnosticDescriptor Generic = D("FLO002", "Generic types and methods are not supported",
            "{0} is generic (or nested in a generic type); generic grain interfaces, grain methods, grain classes and serializable types are not supported");
        public static readonly DiagnosticDescriptor Member = D("FLO003", "Unsupported serialized member",
            "{0}: {1}");
        public static readonly DiagnosticDescriptor DuplicateId = D("FLO004", "Duplicate serialized member id",
            "{0} has more than one member with [Id({1})] (including members of [GenerateSerializer] base classes)");
        public static readonly DiagnosticDescriptor Parameter = D("FLO005", "Unsupported grain method parameter",
            "Grain method {0}: ref, out and in parameters are not supported");
        public static readonly DiagnosticDescriptor OneWay = D("FLO006", "One-way methods return no value",
            "[OneWay] method {0} must return Task or ValueTask");
        public static readonly DiagnosticDescriptor NonMethod = D("FLO007", "Grain interfaces declare methods only",
            "Grain interface {0} declares {1}, which is not a method; grain interfaces may not have properties, indexers or events");
        public static readonly DiagnosticDescriptor DuplicateMethodId = D("FLO008", "Duplicate grain method id",
            "Grain interface {0}: methods {1} and {2} have the same method id {3} (same name and arity, or same [Alias]); give one an [Alias]");
        public static readonly DiagnosticDescriptor GrainClass = D("FLO009", "Unsupported grain class",
            "Grain class {0}: {1}");
        public static readonly DiagnosticDescriptor Inaccessible = D("FLO010", "Type not accessible to generated code",
            "{0} must be public or internal (and so must the types containing it) for generated code to use it");

        public static readonly DiagnosticDescriptor[] All =
        {
            ReturnType, Generic, Member, DuplicateId, Parameter, OneWay, NonMethod, DuplicateMethodId, GrainClass, Inaccessible,
        };
    }

    /// <summary>Where a diagnostic points, without holding a syntax tree (so models stay cacheable).</summary>
    internal sealed record LocationInfo(string Path, TextSpan Span, LinePositionSpan LineSpan)
    {
        public static LocationInfo? From(ISymbol? symbol) => From(symbol?.Locations.FirstOrDefault(l => l.IsInSource));

        public static LocationInfo? From(Location? location)
            => location == null || !location.IsInSource ? null
                : new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan, location.GetLineSpan().Span);

        public Location ToLocation() => Location.Create(Path, Span, LineSpan);
    }

    /// <summary>A diagnostic as plain data; reported in the output step.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Args)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, ISymbol? at, params string[] args)
            => new DiagnosticInfo(descriptor.Id, LocationInfo.From(at), args.ToEquatableArray());

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? at, params string[] args)
            => new DiagnosticInfo(descriptor.Id, at, args.ToEquatableArray());

        public Diagnostic ToDiagnostic()
            => Diagnostic.Create(FloDiagnostics.All.First(d => d.Id == Id), Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
                Args.Cast<object>().ToArray());
    }
}
