using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flo.CodeGenerator
{
    /// <summary>Names of the Flo types the generator recognises, and small helpers shared by the emitters.</summary>
    internal static class Known
    {
        public const string Grain = "Flo.Grain";
        public const string IGrain = "Flo.IGrain";
        public const string IGrainContext = "Flo.IGrainContext";
        public const string IGrainFactory = "Flo.IGrainFactory";
        public const string IPersistentState = "Flo.IPersistentState<TState>";
        public const string GenerateSerializer = "Flo.GenerateSerializerAttribute";
        public const string Id = "Flo.IdAttribute";
        public const string Alias = "Flo.AliasAttribute";
        public const string GrainType = "Flo.GrainTypeAttribute";
        public const string Reentrant = "Flo.ReentrantAttribute";
        public const string ReadOnly = "Flo.ReadOnlyAttribute";
        public const string AlwaysInterleave = "Flo.AlwaysInterleaveAttribute";
        public const string OneWay = "Flo.OneWayAttribute";
        public const string Idempotent = "Flo.IdempotentAttribute";
        public const string PersistentState = "Flo.PersistentStateAttribute";
        public const string CancellationToken = "System.Threading.CancellationToken";
        public const string UnsafeAccessor = "System.Runtime.CompilerServices.UnsafeAccessorAttribute";

        /// <summary>Interfaces every grain interface derives from; they declare no methods and get no code.</summary>
        public static readonly HashSet<string> MarkerInterfaces = new HashSet<string>
        {
            "Flo.IAddressable", "Flo.IGrain", "Flo.IGrainWithStringKey", "Flo.IGrainWithGuidKey", "Flo.IGrainWithIntegerKey",
        };

        /// <summary>Fully qualified, keeping nullable annotations so generated signatures match the user's exactly.</summary>
        public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        public static string Full(ITypeSymbol t) => t.ToDisplayString(TypeFormat);

        /// <summary>For typeof, new and generic arguments with constraints, where a nullable annotation is not allowed or warns.</summary>
        public static string FullNoNullable(ITypeSymbol t) => t.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(TypeFormat);

        /// <summary>Name used in diagnostics, sorting and default aliases: <c>Demo.Outer.IInner</c>.</summary>
        public static string Display(ISymbol s) => s.ToDisplayString();

        public static AttributeData? Attr(ISymbol s, string name)
            => s.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == name);

        public static string? StringArg(AttributeData? a, int index = 0)
            => a != null && a.ConstructorArguments.Length > index ? a.ConstructorArguments[index].Value as string : null;

        public static bool IsMarker(INamedTypeSymbol t) => MarkerInterfaces.Contains(t.ToDisplayString());

        public static bool IsGrainInterface(INamedTypeSymbol t)
            => t.TypeKind == TypeKind.Interface && !IsMarker(t) && t.AllInterfaces.Any(i => i.ToDisplayString() == IGrain);

        public static bool IsCancellationToken(ITypeSymbol t) => t.ToDisplayString() == CancellationToken;

        public static bool DerivesFromGrain(INamedTypeSymbol t)
        {
            for (var b = t.BaseType; b != null; b = b.BaseType)
            {
                if (b.ToDisplayString() == Grain)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Generic types, or types nested in one, cannot be named without type arguments.</summary>
        public static bool IsOrInGeneric(INamedTypeSymbol t)
        {
            for (var c = t; c != null; c = c.ContainingType)
            {
                if (c.IsGenericType)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>A C# identifier made from a dotted name: <c>Demo.Outer.IInner</c> becomes <c>Demo_Outer_IInner</c>.</summary>
        public static string Mangle(string s)
        {
            var sb = new StringBuilder(s.Length);
            foreach (var c in s)
            {
                sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
            }
            if (sb.Length == 0 || char.IsDigit(sb[0]))
            {
                sb.Insert(0, '_');
            }
            return sb.ToString();
        }

        /// <summary>The generated namespace: <c>&lt;AssemblyName&gt;.FloGenerated</c>, each segment a valid identifier.</summary>
        public static string Namespace(string? assemblyName)
        {
            var segments = (assemblyName ?? "Generated").Split('.').Where(s => s.Length > 0).Select(s =>
            {
                var id = Mangle(s);
                return SyntaxFacts.GetKeywordKind(id) != SyntaxKind.None ? "@" + id : id;
            });
            return string.Join(".", segments.Concat(new[] { "FloGenerated" }));
        }

        /// <summary>FNV-1a over UTF-8, exactly as <c>Flo.StableHash.Of(string)</c> (no final mix).</summary>
        public static uint Fnv(string s)
        {
            const uint offsetBasis = 2166136261;
            const uint prime = 16777619;
            var h = offsetBasis;
            foreach (var b in Encoding.UTF8.GetBytes(s))
            {
                h = unchecked((h ^ b) * prime);
            }
            return h;
        }

        public static string Hex(uint id) => "0x" + id.ToString("X8", CultureInfo.InvariantCulture) + "u";

        public static string Literal(string s) => SymbolDisplay.FormatLiteral(s, quote: true);

        public static bool IsAccessible(Compilation compilation, ISymbol symbol)
            => compilation.IsSymbolAccessibleWithin(symbol, compilation.Assembly);
    }
}
