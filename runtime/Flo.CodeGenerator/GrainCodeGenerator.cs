using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Flo.CodeGenerator
{
    /// <summary>
    /// Emits grain proxies, invokables, grain class registrations and serializers, plus one module initializer that
    /// registers them (see README.md and GeneratedShapes.md).
    /// </summary>
    /// <remarks>
    /// Each candidate type is turned into plain strings (rendered code and diagnostics) as soon as it is analysed, so
    /// the pipeline's values compare by content and unchanged types cost nothing on the next keystroke or build.
    /// </remarks>
    [Generator(LanguageNames.CSharp)]
    public sealed class GrainCodeGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var interfaces = context.SyntaxProvider.CreateSyntaxProvider(
                    static (node, _) => node is InterfaceDeclarationSyntax { BaseList: not null },
                    static (ctx, ct) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) is INamedTypeSymbol symbol
                        ? InterfaceGenerator.Analyze(symbol, ctx.SemanticModel.Compilation, ct)
                        : null)
                .Where(static r => r != null)
                .Select(static (r, _) => r!)
                .Collect();

            var classes = context.SyntaxProvider.CreateSyntaxProvider(
                    static (node, _) => node is ClassDeclarationSyntax { BaseList: not null },
                    static (ctx, ct) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) is INamedTypeSymbol symbol
                        ? GrainClassGenerator.Analyze(symbol, ctx.SemanticModel.Compilation)
                        : null)
                .Where(static r => r != null)
                .Select(static (r, _) => r!)
                .Collect();

            var serializers = context.SyntaxProvider.ForAttributeWithMetadataName(
                    Known.GenerateSerializer,
                    static (node, _) => node is ClassDeclarationSyntax || node is StructDeclarationSyntax || node is RecordDeclarationSyntax,
                    static (ctx, _) => ctx.TargetSymbol is INamedTypeSymbol symbol
                        ? SerializerGenerator.Analyze(symbol, ctx.SemanticModel.Compilation)
                        : null)
                .Where(static r => r != null)
                .Select(static (r, _) => r!)
                .Collect();

            var assemblyName = context.CompilationProvider.Select(static (c, _) => c.AssemblyName);

            var all = interfaces.Combine(classes).Combine(serializers).Combine(assemblyName);
            context.RegisterSourceOutput(all, static (spc, input) =>
                Emit(spc, input.Left.Left.Left, input.Left.Left.Right, input.Left.Right, input.Right));
        }

        private static void Emit(SourceProductionContext spc, ImmutableArray<InterfaceResult> interfaces, ImmutableArray<GrainClassResult> classes,
            ImmutableArray<SerializerResult> serializers, string? assemblyName)
        {
            // Partial types are seen once per declaration; ordering by name keeps the output identical across builds.
            var ifaces = interfaces.GroupBy(r => r.Key).Select(g => g.First()).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            var grainClasses = classes.GroupBy(r => r.Key).Select(g => g.First()).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            var codecs = serializers.GroupBy(r => r.Key).Select(g => g.First()).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();

            var reported = new HashSet<DiagnosticInfo>();
            foreach (var d in ifaces.SelectMany(r => r.Diagnostics).Concat(grainClasses.SelectMany(r => r.Diagnostics)).Concat(codecs.SelectMany(r => r.Diagnostics)))
            {
                if (reported.Add(d))
                {
                    spc.ReportDiagnostic(d.ToDiagnostic());
                }
            }

            var ns = Known.Namespace(assemblyName);
            var hints = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            void Add(string hint, string body)
            {
                var unique = hint;
                for (var n = 2; !hints.Add(unique); n++)
                {
                    unique = hint + "_" + n;
                }
                spc.AddSource(unique + ".g.cs", SourceText.From(File(ns, body), Encoding.UTF8));
            }

            var registrations = new StringBuilder();
            foreach (var r in ifaces.Where(r => r.Source != null))
            {
                Add(Known.Mangle(r.Key), r.Source!);
                registrations.Append("            ").AppendLine(r.Registration);
            }
            // Invokables of grain interfaces declared elsewhere, once however many local interfaces inherit them.
            var inherited = ifaces.Where(r => r.Source != null).SelectMany(r => r.Inherited)
                .GroupBy(i => i.DeclaringKey).Select(g => g.First()).OrderBy(i => i.DeclaringKey, StringComparer.Ordinal).ToList();
            foreach (var i in inherited)
            {
                Add(Known.Mangle(i.DeclaringKey) + ".Inherited", i.Source);
            }
            foreach (var r in codecs.Where(r => r.Source != null))
            {
                Add(Known.Mangle(r.Key) + ".Codec", r.Source!);
                registrations.Append("            ").AppendLine(r.Registration);
            }
            foreach (var r in grainClasses.Where(r => r.Registration != null))
            {
                registrations.Append(r.Registration);
            }
            if (registrations.Length == 0)
            {
                return;
            }

            var init = new StringBuilder();
            init.AppendLine("    internal static class FloGeneratedRegistration");
            init.AppendLine("    {");
            init.AppendLine("        [global::System.Runtime.CompilerServices.ModuleInitializer]");
            init.AppendLine("        internal static void Register()");
            init.AppendLine("        {");
            init.Append(registrations);
            init.AppendLine("        }");
            init.AppendLine("    }");
            Add("FloGeneratedRegistration", init.ToString());
        }

        private static string File(string ns, string body)
        {
            var sb = new StringBuilder();
            sb.Append("// <auto-generated/>\n");
            sb.Append("#nullable enable\n");
            // Generated members mirror user declarations (obsolete members, nullability of fields set after construction).
            sb.Append("#pragma warning disable CS0612, CS0618, CS1591, CS8618, CS8619, CS8620, CS8625, CS8631, CS8633, CS8766, CS8767\n");
            sb.Append("namespace ").Append(ns).Append('\n');
            sb.Append("{\n");
            sb.Append(body.Replace("\r\n", "\n").TrimEnd('\n')).Append('\n');
            sb.Append("}\n");
            return sb.ToString();
        }
    }
}
