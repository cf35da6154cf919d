using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Flo.CodeGenerator
{
    /// <summary>Invokables for the methods of a grain interface declared in another assembly.</summary>
    internal sealed record InheritedInvokables(string DeclaringKey, string Source);

    /// <summary>The rendered proxy, invokables and metadata of one grain interface (null when it has errors).</summary>
    internal sealed record InterfaceResult(
        string Key,
        string? Source,
        string? Registration,
        EquatableArray<InheritedInvokables> Inherited,
        EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>Proxies, invokables and <c>GrainInterfaceInfo</c> metadata for grain interfaces.</summary>
    internal static class InterfaceGenerator
    {
        private enum ReturnKind
        {
            Task,
            TaskOfT,
            ValueTask,
            ValueTaskOfT,
        }

        private sealed class MethodSpec
        {
            public IMethodSymbol Symbol = null!;
            public INamedTypeSymbol Declaring = null!;
            public uint Id;
            public string InvokableName = "";
            public ReturnKind Kind;
            public ITypeSymbol? Result;
            public List<IParameterSymbol> Serialized = new List<IParameterSymbol>();
            public string Flags = "";
            public bool OneWay;
            public bool Valid;
        }

        // Members a proxy inherits from GrainReference and object: a grain method with one of these names
        // is implemented explicitly so it cannot clash with them.
        private static readonly HashSet<string> ReservedNames = new HashSet<string>
        {
            "Interface", "Key", "Runtime", "Invoke", "InvokeOneWay", "Equals", "GetHashCode", "ToString", "GetType",
            "MemberwiseClone", "Finalize", "ReferenceEquals",
        };

        public static InterfaceResult? Analyze(INamedTypeSymbol iface, Compilation compilation, CancellationToken cancellationToken)
        {
            if (!Known.IsGrainInterface(iface))
            {
                return null;
            }
            var key = Known.Display(iface);
            var diagnostics = new List<DiagnosticInfo>();
            var at = LocationInfo.From(iface);
            InterfaceResult Failed() => new InterfaceResult(key, null, null, EquatableArray<InheritedInvokables>.Empty, diagnostics.ToEquatableArray());

            if (Known.IsOrInGeneric(iface))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Generic, at, key));
                return Failed();
            }
            if (!Known.IsAccessible(compilation, iface))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Inaccessible, at, key));
                return Failed();
            }

            var ok = true;
            var own = Describe(iface, diagnostics, at, ref ok);
            var all = new List<MethodSpec>(own);
            var inherited = new List<InheritedInvokables>();
            foreach (var baseIface in iface.AllInterfaces.Where(Known.IsGrainInterface))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Known.IsOrInGeneric(baseIface))
                {
                    diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Generic, at, Known.Display(baseIface)));
                    ok = false;
                    continue;
                }
                // A base declared in this compilation reports its own errors and emits its own invokables.
                var isLocal = SymbolEqualityComparer.Default.Equals(baseIface.ContainingAssembly, compilation.Assembly);
                var methods = Describe(baseIface, isLocal ? new List<DiagnosticInfo>() : diagnostics, at, ref ok);
                all.AddRange(methods);
                if (!isLocal)
                {
                    var b = new CodeBuilder(1);
                    foreach (var m in methods)
                    {
                        EmitInvokable(b, m);
                    }
                    inherited.Add(new InheritedInvokables(Known.Display(baseIface), b.ToString()));
                }
            }
            if (!ok)
            {
                return Failed();
            }

            var mangled = Known.Mangle(key);
            var alias = Known.StringArg(Known.Attr(iface, Known.Alias)) ?? key;
            var code = new CodeBuilder(1);
            EmitProxy(code, iface, mangled, all);
            foreach (var m in own)
            {
                EmitInvokable(code, m);
            }
            EmitMetadata(code, iface, mangled, alias, own);
            return new InterfaceResult(
                key,
                code.ToString(),
                $"global::Flo.Invocation.GrainInterfaceRegistry.Register(Metadata_{mangled}.Info);",
                inherited.ToEquatableArray(),
                diagnostics.ToEquatableArray());
        }

        /// <summary>
        /// The methods an interface declares, in declaration order. Invokable names depend only on this list, so the
        /// declaring interface and every derived one compute the same names.
        /// </summary>
        private static List<MethodSpec> Describe(INamedTypeSymbol iface, List<DiagnosticInfo> diagnostics, LocationInfo? fallback, ref bool ok)
        {
            var result = new List<MethodSpec>();
            var names = new HashSet<string>();
            var declaringMangled = Known.Mangle(Known.Display(iface));
            foreach (var member in iface.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared)
                {
                    continue;
                }
                var at = LocationInfo.From(member) ?? fallback;
                if (member is IPropertySymbol || member is IEventSymbol)
                {
                    diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.NonMethod, at, Known.Display(iface), member.Name));
                    ok = false;
                    continue;
                }
                if (!(member is IMethodSymbol method) || method.MethodKind != MethodKind.Ordinary
                    || method.DeclaredAccessibility != Accessibility.Public || !(method.IsAbstract || method.IsVirtual))
                {
                    continue;
                }
                var spec = Analyze(method, iface, diagnostics, at);
                ok &= spec.Valid;
                var name = $"Invokable_{declaringMangled}_{method.Name}_{spec.Serialized.Count}";
                var unique = name;
                for (var n = 2; !names.Add(unique); n++)
                {
                    unique = name + "_" + n;
                }
                spec.InvokableName = unique;
                result.Add(spec);
            }
            foreach (var group in result.Where(m => m.Valid).GroupBy(m => m.Id).Where(g => g.Count() > 1))
            {
                var first = group.First();
                var second = group.Skip(1).First();
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.DuplicateMethodId, LocationInfo.From(second.Symbol) ?? fallback,
                    Known.Display(iface), first.Symbol.ToDisplayString(), second.Symbol.ToDisplayString(), Known.Hex(group.Key)));
                ok = false;
            }
            return result;
        }

        private static MethodSpec Analyze(IMethodSymbol m, INamedTypeSymbol declaring, List<DiagnosticInfo> diagnostics, LocationInfo? at)
        {
            var spec = new MethodSpec { Symbol = m, Declaring = declaring };
            spec.Serialized = m.Parameters.Where(p => !Known.IsCancellationToken(p.Type)).ToList();
            var alias = Known.StringArg(Known.Attr(m, Known.Alias));
            spec.Id = Known.Fnv(alias ?? $"{m.Name}({spec.Serialized.Count})");
            var display = m.ToDisplayString();
            if (m.IsGenericMethod)
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Generic, at, display));
                return spec;
            }
            if (m.Parameters.Any(p => p.RefKind != RefKind.None))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Parameter, at, display));
                return spec;
            }
            var returnType = m.ReturnType as INamedTypeSymbol;
            switch (returnType?.ConstructedFrom.ToDisplayString())
            {
                case "System.Threading.Tasks.Task": spec.Kind = ReturnKind.Task; break;
                case "System.Threading.Tasks.ValueTask": spec.Kind = ReturnKind.ValueTask; break;
                case "System.Threading.Tasks.Task<TResult>": spec.Kind = ReturnKind.TaskOfT; spec.Result = returnType!.TypeArguments[0]; break;
                case "System.Threading.Tasks.ValueTask<TResult>": spec.Kind = ReturnKind.ValueTaskOfT; spec.Result = returnType!.TypeArguments[0]; break;
                default:
                    diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.ReturnType, at, display));
                    return spec;
            }
            var flags = new List<string>();
            if (Known.Attr(m, Known.OneWay) != null)
            {
                if (spec.Result != null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.OneWay, at, display));
                    return spec;
                }
                spec.OneWay = true;
                flags.Add("OneWay");
            }
            if (Known.Attr(m, Known.ReadOnly) != null)
            {
                flags.Add("ReadOnly");
            }
            if (Known.Attr(m, Known.AlwaysInterleave) != null)
            {
                flags.Add("AlwaysInterleave");
            }
            if (Known.Attr(m, Known.Idempotent) != null)
            {
                flags.Add("Idempotent");
            }
            spec.Flags = flags.Count == 0
                ? "global::Flo.Invocation.InvokeFlags.None"
                : string.Join(" | ", flags.Select(f => "global::Flo.Invocation.InvokeFlags." + f));
            spec.Valid = true;
            return spec;
        }

        private static void EmitProxy(CodeBuilder b, INamedTypeSymbol iface, string mangled, List<MethodSpec> methods)
        {
            var proxy = "Proxy_" + mangled;
            var nameCounts = methods.GroupBy(m => m.Symbol.Name).ToDictionary(g => g.Key, g => g.Count());
            b.Open($"internal sealed class {proxy} : global::Flo.Invocation.GrainReference, {Known.FullNoNullable(iface)}");
            b.Line($"public {proxy}(global::Flo.Invocation.IGrainCallInvoker runtime, string key) : base(runtime, key) {{ }}");
            b.Line();
            b.Line($"public override global::Flo.Invocation.GrainInterfaceInfo Interface => Metadata_{mangled}.Info;");
            foreach (var m in methods)
            {
                var name = m.Symbol.Name;
                // Explicit implementation when a public method could not implement this one alone: two interfaces
                // declaring the same name, or a name GrainReference already uses.
                var isExplicit = nameCounts[name] > 1 || ReservedNames.Contains(name) || name == proxy;
                var parameters = string.Join(", ", m.Symbol.Parameters.Select(p => $"{Known.Full(p.Type)} @{p.Name}"));
                var signature = isExplicit
                    ? $"{Known.Full(m.Symbol.ReturnType)} {Known.FullNoNullable(m.Declaring)}.{name}({parameters})"
                    : $"public {Known.Full(m.Symbol.ReturnType)} {name}({parameters})";
                var request = "request";
                while (m.Symbol.Parameters.Any(p => p.Name == request))
                {
                    request += "_";
                }
                var token = m.Symbol.Parameters.FirstOrDefault(p => Known.IsCancellationToken(p.Type));
                var tokenArg = token == null ? "" : $", @{token.Name}";

                b.Line();
                b.Open(signature);
                b.Line($"var {request} = new {m.InvokableName}();");
                for (var i = 0; i < m.Serialized.Count; i++)
                {
                    b.Line($"{request}.arg{i} = @{m.Serialized[i].Name};");
                }
                if (m.OneWay)
                {
                    b.Line($"InvokeOneWay({request});");
                    b.Line(m.Kind == ReturnKind.Task ? "return global::System.Threading.Tasks.Task.CompletedTask;" : "return default;");
                }
                else
                {
                    switch (m.Kind)
                    {
                        case ReturnKind.Task:
                            b.Line($"return Invoke({request}{tokenArg});");
                            break;
                        case ReturnKind.ValueTask:
                            b.Line($"return new(Invoke({request}{tokenArg}));");
                            break;
                        case ReturnKind.TaskOfT:
                            b.Line($"return Invoke<{Known.Full(m.Result!)}>({request}{tokenArg});");
                            break;
                        default:
                            b.Line($"return new(Invoke<{Known.Full(m.Result!)}>({request}{tokenArg}));");
                            break;
                    }
                }
                b.Close();
            }
            b.Close();
            b.Line();
        }

        private static void EmitInvokable(CodeBuilder b, MethodSpec m)
        {
            var declaring = Known.FullNoNullable(m.Declaring);
            b.Open($"internal sealed class {m.InvokableName} : global::Flo.Invocation.IInvokable");
            for (var i = 0; i < m.Serialized.Count; i++)
            {
                b.Line($"public {Known.Full(m.Serialized[i].Type)} arg{i};");
            }
            b.Line($"public global::Flo.Invocation.GrainInterfaceInfo Interface => global::Flo.Invocation.GrainInterface<{declaring}>.Info;");
            b.Line($"public uint MethodId => {Known.Hex(m.Id)};");
            b.Line($"public string MethodName => {Known.Literal(m.Symbol.Name)};");
            b.Line($"public global::Flo.Invocation.InvokeFlags Flags => {m.Flags};");
            b.Line();
            b.Open("public void WriteArguments(global::Flo.Serialization.WireWriter writer)");
            for (var i = 0; i < m.Serialized.Count; i++)
            {
                b.Line($"global::Flo.Serialization.Codec<{Known.Full(m.Serialized[i].Type)}>.Instance.WriteField(writer, {i}, arg{i});");
            }
            b.Close();
            b.Line();
            b.Open("public void ReadArguments(global::Flo.Serialization.WireReader reader)");
            b.Open("while (!reader.IsAtEnd)");
            b.Line("var (id, wt) = reader.ReadTag();");
            b.Open("switch (id)");
            for (var i = 0; i < m.Serialized.Count; i++)
            {
                b.Line($"case {i}: arg{i} = global::Flo.Serialization.Codec<{Known.Full(m.Serialized[i].Type)}>.Instance.ReadValue(reader, wt); break;");
            }
            b.Line("default: reader.Skip(wt); break;");
            b.Close();
            b.Close();
            b.Close();
            b.Line();
            var args = new List<string>();
            var serialIndex = 0;
            foreach (var p in m.Symbol.Parameters)
            {
                args.Add(Known.IsCancellationToken(p.Type) ? "cancellationToken" : $"arg{serialIndex++}");
            }
            var call = $"(({declaring})grain).{m.Symbol.Name}({string.Join(", ", args)})";
            b.Open("public async global::System.Threading.Tasks.ValueTask InvokeAsync(object grain, global::Flo.Serialization.WireWriter result, global::System.Threading.CancellationToken cancellationToken)");
            if (m.Result != null)
            {
                b.Line($"var value = await {call};");
                b.Line($"global::Flo.Serialization.Codec<{Known.Full(m.Result)}>.Instance.WriteField(result, 0, value);");
            }
            else
            {
                b.Line($"await {call};");
            }
            b.Close();
            b.Close();
            b.Line();
        }

        private static void EmitMetadata(CodeBuilder b, INamedTypeSymbol iface, string mangled, string alias, List<MethodSpec> own)
        {
            b.Open($"internal static class Metadata_{mangled}");
            b.Line($"public static readonly global::Flo.Invocation.GrainInterfaceInfo Info = new(typeof({Known.FullNoNullable(iface)}), {Known.Literal(alias)},");
            b.Line($"    static (runtime, key) => new Proxy_{mangled}(runtime, key),");
            b.Line("    static methodId => methodId switch");
            b.Line("    {");
            foreach (var m in own)
            {
                b.Line($"        {Known.Hex(m.Id)} => new {m.InvokableName}(),");
            }
            b.Line("        _ => null,");
            b.Line("    });");
            b.Close();
            b.Line();
        }
    }
}
