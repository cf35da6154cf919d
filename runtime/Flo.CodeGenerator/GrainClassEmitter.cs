using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Flo.CodeGenerator
{
    /// <summary>Registers grain classes with a constructor lambda (dependencies from the activation's services).</summary>
    internal static class GrainClassEmitter
    {
        public static void Emit(SourceProductionContext spc, INamedTypeSymbol cls, StringBuilder registrations)
        {
            if (cls.IsGenericType)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.Generic, cls.Locations.FirstOrDefault(), Known.Name(cls)));
                return;
            }
            var interfaces = cls.AllInterfaces.Where(Known.IsGrainInterface).ToList();
            if (interfaces.Count == 0)
            {
                return;
            }
            var grainType = Known.Attr(cls, Known.GrainType)?.ConstructorArguments.FirstOrDefault().Value as string;
            if (grainType == null)
            {
                var n = cls.Name;
                if (n.EndsWith("Grain", System.StringComparison.Ordinal) && n.Length > 5)
                {
                    n = n.Substring(0, n.Length - 5);
                }
                grainType = n.ToLowerInvariant();
            }
            var reentrant = false;
            for (var t = cls; t != null; t = t.BaseType)
            {
                if (Known.Attr(t, Known.Reentrant) != null)
                {
                    reentrant = true;
                }
            }
            var ctor = cls.InstanceConstructors.Where(c => c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal)
                .OrderByDescending(c => c.Parameters.Length).FirstOrDefault();
            if (ctor == null)
            {
                return;
            }
            var args = ctor.Parameters.Select(p =>
            {
                var ps = Known.Attr(p, Known.PersistentState);
                if (ps != null && p.Type is INamedTypeSymbol named && named.TypeArguments.Length == 1)
                {
                    var stateName = ps.ConstructorArguments[0].Value as string ?? p.Name;
                    var storage = ps.ConstructorArguments.Length > 1 ? ps.ConstructorArguments[1].Value as string : null;
                    return $"context.GetPersistentState<{Known.FullNoNullable(named.TypeArguments[0])}>({Known.Literal(stateName)}, {(storage == null ? "null" : Known.Literal(storage))})";
                }
                var typeName = p.Type.ToDisplayString();
                if (typeName == "Flo.IGrainContext")
                {
                    return "context";
                }
                if (typeName == "Flo.IGrainFactory")
                {
                    return "context.GrainFactory";
                }
                return $"global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<{Known.FullNoNullable(p.Type)}>(context.Services)";
            });
            var full = Known.FullNoNullable(cls);
            var ifaces = string.Join(", ", interfaces.Select(i => $"typeof({Known.FullNoNullable(i)})"));
            registrations.AppendLine($"            global::Flo.Invocation.GrainClassRegistry.Register(new global::Flo.Invocation.GrainClassInfo({Known.Literal(grainType)}, typeof({full}),");
            registrations.AppendLine($"                new global::System.Type[] {{ {ifaces} }}, {(reentrant ? "true" : "false")},");
            registrations.AppendLine($"                static context => new {full}({string.Join(", ", args)})));");
        }
    }
}
