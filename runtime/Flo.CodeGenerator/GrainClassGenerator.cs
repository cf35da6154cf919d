using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Flo.CodeGenerator
{
    /// <summary>The rendered <c>GrainClassRegistry.Register</c> statement of one grain class (null when it has errors).</summary>
    internal sealed record GrainClassResult(string Key, string? Registration, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>Registers grain classes with a constructor lambda, so activation needs no reflection.</summary>
    internal static class GrainClassGenerator
    {
        public static GrainClassResult? Analyze(INamedTypeSymbol cls, Compilation compilation)
        {
            if (cls.TypeKind != TypeKind.Class || cls.IsAbstract || cls.IsStatic || !Known.DerivesFromGrain(cls))
            {
                return null;
            }
            var interfaces = cls.AllInterfaces.Where(Known.IsGrainInterface).ToList();
            if (interfaces.Count == 0)
            {
                return null;
            }
            var key = Known.Display(cls);
            var at = LocationInfo.From(cls);
            var diagnostics = new List<DiagnosticInfo>();
            GrainClassResult Failed() => new GrainClassResult(key, null, diagnostics.ToEquatableArray());

            if (Known.IsOrInGeneric(cls))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Generic, at, key));
                return Failed();
            }
            if (!Known.IsAccessible(compilation, cls))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Inaccessible, at, key));
                return Failed();
            }

            var grainType = Known.StringArg(Known.Attr(cls, Known.GrainType));
            if (grainType == null)
            {
                var n = cls.Name;
                if (n.Length > 5 && n.EndsWith("Grain", System.StringComparison.Ordinal))
                {
                    n = n.Substring(0, n.Length - 5);
                }
                grainType = n.ToLowerInvariant();
            }
            var reentrant = false;
            for (var t = cls; t != null; t = t.BaseType)
            {
                reentrant |= Known.Attr(t, Known.Reentrant) != null;
            }

            // Public constructors first (the documented rule); internal ones are usable from generated code too.
            var ctor = cls.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public)
                           .OrderByDescending(c => c.Parameters.Length).FirstOrDefault()
                       ?? cls.InstanceConstructors.Where(c => Known.IsAccessible(compilation, c))
                           .OrderByDescending(c => c.Parameters.Length).FirstOrDefault();
            if (ctor == null)
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.GrainClass, at, key, "needs a public constructor"));
                return Failed();
            }

            var args = new List<string>();
            foreach (var p in ctor.Parameters)
            {
                var arg = Argument(p, key, diagnostics);
                if (arg == null)
                {
                    return Failed();
                }
                args.Add(arg);
            }

            var full = Known.FullNoNullable(cls);
            var b = new CodeBuilder(3);
            b.Line($"global::Flo.Invocation.GrainClassRegistry.Register(new global::Flo.Invocation.GrainClassInfo({Known.Literal(grainType)}, typeof({full}),");
            b.Line($"    new global::System.Type[] {{ {string.Join(", ", interfaces.Select(i => $"typeof({Known.FullNoNullable(i)})"))} }}, {(reentrant ? "true" : "false")},");
            if (args.Count == 0)
            {
                b.Line($"    static context => new {full}()));");
            }
            else
            {
                b.Line($"    static context => new {full}(");
                for (var i = 0; i < args.Count; i++)
                {
                    b.Line("        " + args[i] + (i == args.Count - 1 ? ")));" : ","));
                }
            }
            return new GrainClassResult(key, b.ToString(), diagnostics.ToEquatableArray());
        }

        private static string? Argument(IParameterSymbol p, string cls, List<DiagnosticInfo> diagnostics)
        {
            var at = LocationInfo.From(p);
            if (p.RefKind != RefKind.None)
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.GrainClass, at, cls, $"constructor parameter '{p.Name}' is ref, out or in"));
                return null;
            }
            var persistent = Known.Attr(p, Known.PersistentState);
            if (persistent != null)
            {
                if (!(p.Type is INamedTypeSymbol named) || named.ConstructedFrom.ToDisplayString() != Known.IPersistentState)
                {
                    diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.GrainClass, at, cls,
                        $"[PersistentState] parameter '{p.Name}' must be of type IPersistentState<T>"));
                    return null;
                }
                var stateName = Known.StringArg(persistent) ?? p.Name;
                var storage = Known.StringArg(persistent, 1);
                return $"context.GetPersistentState<{Known.FullNoNullable(named.TypeArguments[0])}>({Known.Literal(stateName)}, {(storage == null ? "null" : Known.Literal(storage))})";
            }
            switch (p.Type.ToDisplayString())
            {
                case Known.IGrainContext: return "context";
                case Known.IGrainFactory: return "context.GrainFactory";
            }
            // An optional dependency (nullable or defaulted to null) may be absent from the container.
            var optional = p.Type.IsReferenceType
                && (p.NullableAnnotation == NullableAnnotation.Annotated || (p.HasExplicitDefaultValue && p.ExplicitDefaultValue == null));
            var method = optional ? "GetService" : "GetRequiredService";
            return $"global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.{method}<{Known.FullNoNullable(p.Type)}>(context.Services)";
        }
    }
}
