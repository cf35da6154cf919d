using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flo.CodeGenerator
{
    /// <summary>
    /// Emits grain proxies, invokables, grain class registrations and serializers, plus one module initializer that
    /// registers them (see README.md and GeneratedShapes.md).
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class GrainCodeGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var types = context.SyntaxProvider.CreateSyntaxProvider(
                    static (node, _) => node is TypeDeclarationSyntax t && (t.BaseList != null || t.AttributeLists.Count > 0),
                    static (ctx, ct) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) as INamedTypeSymbol)
                .Where(static s => s != null)
                .Collect();
            var input = context.CompilationProvider.Combine(types);
            context.RegisterSourceOutput(input, static (spc, pair) => Emitter.Emit(spc, pair.Left, pair.Right!));
        }
    }

    internal static class Known
    {
        public const string Grain = "Flo.Grain";
        public const string IGrain = "Flo.IGrain";
        public const string GenerateSerializer = "Flo.GenerateSerializerAttribute";
        public const string Id = "Flo.IdAttribute";
        public const string Alias = "Flo.AliasAttribute";
        public const string GrainType = "Flo.GrainTypeAttribute";
        public const string Reentrant = "Flo.ReentrantAttribute";
        public const string ReadOnly = "Flo.ReadOnlyAttribute";
        public const string AlwaysInterleave = "Flo.AlwaysInterleaveAttribute";
        public const string OneWay = "Flo.OneWayAttribute";
        public const string PersistentState = "Flo.PersistentStateAttribute";
        public const string CancellationToken = "System.Threading.CancellationToken";

        public static readonly HashSet<string> MarkerInterfaces = new HashSet<string>
        {
            "Flo.IAddressable", "Flo.IGrain", "Flo.IGrainWithStringKey", "Flo.IGrainWithGuidKey", "Flo.IGrainWithIntegerKey",
        };

        public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        public static string Name(ISymbol s) => s.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);

        public static string Full(ITypeSymbol t) => t.ToDisplayString(TypeFormat);

        public static string FullNoNullable(ITypeSymbol t) => t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

        public static AttributeData? Attr(ISymbol s, string name)
            => s.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == name);

        public static bool IsGrainInterface(INamedTypeSymbol t)
            => t.TypeKind == TypeKind.Interface && !MarkerInterfaces.Contains(t.ToDisplayString())
               && t.AllInterfaces.Any(i => i.ToDisplayString() == IGrain);

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

        public static string Mangle(string s)
        {
            var sb = new StringBuilder(s.Length);
            foreach (var c in s)
            {
                sb.Append(char.IsLetterOrDigit(c) ? c : '_');
            }
            return sb.ToString();
        }

        /// <summary>FNV-1a over UTF-8, exactly as Flo.StableHash.Of(string).</summary>
        public static uint Fnv(string s)
        {
            uint h = 2166136261;
            foreach (var b in Encoding.UTF8.GetBytes(s))
            {
                h = (h ^ b) * 16777619;
            }
            return h;
        }

        public static string Literal(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    internal static class Diagnostics
    {
        private static DiagnosticDescriptor D(string id, string title, string message)
            => new DiagnosticDescriptor(id, title, message, "Flo", DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ReturnType = D("FLO001", "Unsupported grain method return type",
            "Grain method {0} must return Task, Task<T>, ValueTask or ValueTask<T>");
        public static readonly DiagnosticDescriptor Generic = D("FLO002", "Generic grain interfaces and methods are not supported",
            "{0} is generic; generic grain interfaces and methods are not supported");
        public static readonly DiagnosticDescriptor Member = D("FLO003", "Unsupported serialized member",
            "{0}: {1}");
        public static readonly DiagnosticDescriptor DuplicateId = D("FLO004", "Duplicate id",
            "{0} has two members with id {1}");
        public static readonly DiagnosticDescriptor Parameter = D("FLO005", "Unsupported parameter",
            "Grain method {0}: ref, out and in parameters are not supported");
        public static readonly DiagnosticDescriptor OneWay = D("FLO006", "One-way methods return no value",
            "[OneWay] method {0} must return Task or ValueTask");
        public static readonly DiagnosticDescriptor NonMethod = D("FLO007", "Grain interfaces have methods only",
            "Grain interface {0} declares {1}, which is not a method");
    }
}
