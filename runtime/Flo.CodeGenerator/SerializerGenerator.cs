using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flo.CodeGenerator
{
    /// <summary>The rendered codec of one <c>[GenerateSerializer]</c> type (null when it has errors).</summary>
    internal sealed record SerializerResult(string Key, string? Source, string? Registration, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>Version-tolerant codecs for <c>[GenerateSerializer]</c> classes, structs and records.</summary>
    internal static class SerializerGenerator
    {
        private enum Assign
        {
            /// <summary>Not assignable: only a constructor can set it.</summary>
            None,
            /// <summary><c>result.X = v</c> after construction, only when read.</summary>
            Direct,
            /// <summary>In the object initializer, always (init-only or required members).</summary>
            Initializer,
            /// <summary>Through an UnsafeAccessor to the field (or auto-property backing field), only when read.</summary>
            FieldRef,
            /// <summary>Through an UnsafeAccessor to the non-public setter, only when read.</summary>
            SetterMethod,
        }

        private sealed class MemberSpec
        {
            public ISymbol Symbol = null!;
            public INamedTypeSymbol Declaring = null!;
            public string Name = "";
            public ITypeSymbol Type = null!;
            public uint Id;
            public string Local => "m" + Id;
            public string Has => "has" + Id;
            public string TypeText => Known.Full(Type);

            /// <summary>How the value is read from an instance; null uses <c>value.Name</c>.</summary>
            public string? GetterAccessor;
            public string? BackingField;
            public Assign Assign;
            public IParameterSymbol? CtorParameter;
        }

        public static SerializerResult? Analyze(INamedTypeSymbol type, Compilation compilation)
        {
            if (type.TypeKind != TypeKind.Class && type.TypeKind != TypeKind.Struct)
            {
                return null;
            }
            var key = Known.Display(type);
            var at = LocationInfo.From(type);
            var diagnostics = new List<DiagnosticInfo>();
            SerializerResult Failed() => new SerializerResult(key, null, null, diagnostics.ToEquatableArray());

            if (Known.IsOrInGeneric(type))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Generic, at, key));
                return Failed();
            }
            if (!Known.IsAccessible(compilation, type))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Inaccessible, at, key));
                return Failed();
            }
            if (type.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Member, at, key, "a static class cannot be serialized"));
                return Failed();
            }

            var canUseAccessors = compilation.GetTypeByMetadataName(Known.UnsafeAccessor) != null;
            var members = CollectMembers(type, compilation, canUseAccessors, diagnostics, at);
            if (members == null)
            {
                return Failed();
            }
            // Abstract types only lend their members to derived [GenerateSerializer] types.
            if (type.IsAbstract)
            {
                return new SerializerResult(key, null, null, diagnostics.ToEquatableArray());
            }

            var ctor = ChooseConstructor(type, members, compilation);
            if (ctor == null)
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Member, at, key,
                    "needs an accessible parameterless constructor, or one whose parameters all match [Id] members by name"));
                return Failed();
            }
            foreach (var m in members.Where(m => m.CtorParameter == null && m.Assign == Assign.None))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Member, LocationInfo.From(m.Symbol) ?? at, key + "." + m.Name,
                    "is get-only and no constructor parameter sets it; add a setter or init accessor, or a constructor parameter of the same name"));
            }
            if (diagnostics.Count > 0)
            {
                return Failed();
            }

            var mangled = Known.Mangle(key);
            var name = "Codec_" + mangled;
            var source = Emit(type, name, members, ctor);
            return new SerializerResult(key, source,
                $"global::Flo.Serialization.CodecRegistry.Register<{Known.FullNoNullable(type)}>(new {name}());",
                diagnostics.ToEquatableArray());
        }

        private static List<MemberSpec>? CollectMembers(INamedTypeSymbol type, Compilation compilation, bool canUseAccessors,
            List<DiagnosticInfo> diagnostics, LocationInfo? at)
        {
            var members = new List<MemberSpec>();
            var ok = true;
            for (var t = type; t != null; t = t.BaseType)
            {
                if (!SymbolEqualityComparer.Default.Equals(t, type) && Known.Attr(t, Known.GenerateSerializer) == null)
                {
                    break;
                }
                if (Known.IsOrInGeneric(t))
                {
                    diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Generic, at, Known.Display(t)));
                    return null;
                }

                // [Id] on a primary-constructor parameter means the member of the same name.
                var byParameter = new Dictionary<string, (uint Id, IParameterSymbol Parameter)>(StringComparer.Ordinal);
                foreach (var p in t.InstanceConstructors.SelectMany(c => c.Parameters))
                {
                    if (Known.Attr(p, Known.Id)?.ConstructorArguments.FirstOrDefault().Value is uint pid)
                    {
                        byParameter[p.Name] = (pid, p);
                    }
                }
                var claimed = new HashSet<string>(StringComparer.Ordinal);

                foreach (var symbol in t.GetMembers())
                {
                    if (!(symbol is IFieldSymbol || symbol is IPropertySymbol) || (symbol is IFieldSymbol f0 && f0.AssociatedSymbol != null))
                    {
                        continue;
                    }
                    var id = Known.Attr(symbol, Known.Id)?.ConstructorArguments.FirstOrDefault().Value as uint?;
                    if (byParameter.TryGetValue(symbol.Name, out var fromParameter))
                    {
                        claimed.Add(symbol.Name);
                        id = id ?? fromParameter.Id;
                    }
                    if (id == null)
                    {
                        continue;
                    }
                    var spec = Describe(symbol, t, id.Value, compilation, canUseAccessors, diagnostics, at);
                    if (spec == null)
                    {
                        ok = false;
                        continue;
                    }
                    members.Add(spec);
                }
                foreach (var pair in byParameter.Where(p => !claimed.Contains(p.Key)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Member, LocationInfo.From(pair.Value.Parameter) ?? at,
                        Known.Display(t) + "." + pair.Key, "has [Id] but there is no property or field of that name (use [property: Id(n)] or declare one)"));
                    ok = false;
                }
            }
            foreach (var group in members.GroupBy(m => m.Id).Where(g => g.Count() > 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.DuplicateId, LocationInfo.From(group.Last().Symbol) ?? at,
                    Known.Display(type), group.Key.ToString(CultureInfo.InvariantCulture)));
                ok = false;
            }
            return ok ? members.OrderBy(m => m.Id).ToList() : null;
        }

        private static MemberSpec? Describe(ISymbol symbol, INamedTypeSymbol declaring, uint id, Compilation compilation, bool canUseAccessors,
            List<DiagnosticInfo> diagnostics, LocationInfo? fallback)
        {
            var at = LocationInfo.From(symbol) ?? fallback;
            var display = Known.Display(declaring) + "." + symbol.Name;
            MemberSpec? Error(string message)
            {
                diagnostics.Add(DiagnosticInfo.Create(FloDiagnostics.Member, at, display, message));
                return null;
            }

            if (symbol.IsStatic)
            {
                return Error("static members cannot be serialized");
            }
            var spec = new MemberSpec { Symbol = symbol, Declaring = declaring, Name = symbol.Name, Id = id };
            var needsAccessor = false;
            if (symbol is IFieldSymbol field)
            {
                spec.Type = field.Type;
                var accessible = Known.IsAccessible(compilation, field);
                if (!accessible)
                {
                    spec.GetterAccessor = "Field_" + id;
                    needsAccessor = true;
                }
                if (field.IsConst)
                {
                    return Error("constants cannot be serialized");
                }
                spec.Assign = field.IsRequired ? Assign.Initializer
                    : accessible && !field.IsReadOnly ? Assign.Direct
                    : canUseAccessors ? Assign.FieldRef
                    : Assign.None;
            }
            else
            {
                var property = (IPropertySymbol)symbol;
                if (property.IsIndexer)
                {
                    return Error("indexers cannot be serialized");
                }
                spec.Type = property.Type;
                spec.BackingField = declaring.GetMembers().OfType<IFieldSymbol>()
                    .FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property))?.Name;
                if (property.GetMethod == null)
                {
                    return Error("a serialized property needs a getter");
                }
                if (!Known.IsAccessible(compilation, property.GetMethod))
                {
                    spec.GetterAccessor = spec.BackingField != null ? "Field_" + id : "Get_" + id;
                    needsAccessor = true;
                }
                var setter = property.SetMethod;
                if (setter == null)
                {
                    spec.Assign = Assign.None;
                }
                else if (property.IsRequired)
                {
                    if (!Known.IsAccessible(compilation, setter))
                    {
                        return Error("a required property's setter must be public or internal");
                    }
                    spec.Assign = Assign.Initializer;
                }
                else if (spec.BackingField != null && (setter.IsInitOnly || !Known.IsAccessible(compilation, setter)) && canUseAccessors)
                {
                    // Writing the backing field lets a member missing from older data keep its initializer's value,
                    // which an object initializer (the only way to call an init accessor) would overwrite.
                    spec.Assign = Assign.FieldRef;
                }
                else if (Known.IsAccessible(compilation, setter))
                {
                    spec.Assign = setter.IsInitOnly ? Assign.Initializer : Assign.Direct;
                }
                else if (!setter.IsInitOnly && canUseAccessors)
                {
                    spec.Assign = Assign.SetterMethod;
                }
                else
                {
                    // Left to a constructor parameter; reported later if there is none.
                    spec.Assign = Assign.None;
                }
            }
            if (needsAccessor && !canUseAccessors)
            {
                return Error("reading a non-public serialized member needs UnsafeAccessor (.NET 8 or later); make it public or internal");
            }
            if (!Known.IsAccessible(compilation, spec.Type))
            {
                return Error($"its type {spec.Type.ToDisplayString()} is not accessible to generated code");
            }
            return spec;
        }

        private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, List<MemberSpec> members, Compilation compilation)
        {
            IMethodSymbol? best = null;
            Dictionary<IParameterSymbol, MemberSpec>? bestMap = null;
            foreach (var ctor in type.InstanceConstructors.OrderByDescending(c => c.Parameters.Length).ThenBy(c => c.ToDisplayString(), StringComparer.Ordinal))
            {
                if (!Known.IsAccessible(compilation, ctor) || ctor.Parameters.Any(p => p.RefKind != RefKind.None)
                    || (ctor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(ctor.Parameters[0].Type, type)))
                {
                    continue;
                }
                var map = new Dictionary<IParameterSymbol, MemberSpec>(SymbolEqualityComparer.Default);
                foreach (var p in ctor.Parameters)
                {
                    var match = members.FirstOrDefault(m => m.Name == p.Name)
                                ?? members.FirstOrDefault(m => string.Equals(m.Name, p.Name, StringComparison.OrdinalIgnoreCase));
                    if (match == null || map.Values.Contains(match) || !compilation.ClassifyCommonConversion(match.Type, p.Type).IsImplicit)
                    {
                        map = null;
                        break;
                    }
                    map[p] = match;
                }
                if (map != null && (best == null || ctor.Parameters.Length > best.Parameters.Length))
                {
                    best = ctor;
                    bestMap = map;
                }
            }
            if (bestMap != null)
            {
                foreach (var pair in bestMap)
                {
                    pair.Value.CtorParameter = pair.Key;
                }
            }
            return best;
        }

        private static string Emit(INamedTypeSymbol type, string name, List<MemberSpec> members, IMethodSymbol ctor)
        {
            var full = Known.FullNoNullable(type);
            var isClass = type.TypeKind == TypeKind.Class;
            var b = new CodeBuilder(1);
            b.Open($"internal sealed class {name} : global::Flo.Serialization.IFieldCodec<{full}>");

            b.Open($"public void WriteField(global::Flo.Serialization.WireWriter writer, uint fieldId, {full} value)");
            if (isClass)
            {
                b.Open("if (value is null)");
                b.Line("writer.WriteNull(fieldId);");
                b.Line("return;");
                b.Close();
            }
            b.Line("writer.WriteStartObject(fieldId);");
            foreach (var m in members)
            {
                var read = m.GetterAccessor == null ? $"value.{m.Name}" : $"{m.GetterAccessor}({(isClass ? "" : "ref ")}value)";
                b.Line($"global::Flo.Serialization.Codec<{m.TypeText}>.Instance.WriteField(writer, {m.Id}, {read});");
            }
            b.Line("writer.WriteEndObject();");
            b.Close();
            b.Line();

            b.Open($"public {full} ReadValue(global::Flo.Serialization.WireReader reader, global::Flo.Serialization.WireType wireType)");
            if (isClass)
            {
                b.Open("if (wireType == global::Flo.Serialization.WireType.Null)");
                b.Line("return null!;");
                b.Close();
            }
            b.Line("global::Flo.Serialization.WireReader.Expect(wireType, global::Flo.Serialization.WireType.StartObject);");
            b.Line("reader.EnterNested();");
            var conditional = members.Where(m => m.CtorParameter == null && m.Assign != Assign.Initializer).ToList();
            foreach (var m in members)
            {
                b.Line($"{m.TypeText} {m.Local} = {(m.CtorParameter != null ? DefaultValue(m.CtorParameter) : "default!")};");
            }
            foreach (var m in conditional)
            {
                b.Line($"bool {m.Has} = false;");
            }
            b.Open("while (true)");
            b.Line("var (id, wt) = reader.ReadTag();");
            b.Open("if (wt == global::Flo.Serialization.WireType.EndObject)");
            b.Line("break;");
            b.Close();
            b.Open("switch (id)");
            foreach (var m in members)
            {
                var has = conditional.Contains(m) ? $" {m.Has} = true;" : "";
                b.Line($"case {m.Id}: {m.Local} = global::Flo.Serialization.Codec<{m.TypeText}>.Instance.ReadValue(reader, wt);{has} break;");
            }
            b.Line("default: reader.Skip(wt); break;");
            b.Close();
            b.Close();
            b.Line("reader.ExitNested();");

            var args = string.Join(", ", ctor.Parameters.Select(p => members.First(m => m.CtorParameter != null && SymbolEqualityComparer.Default.Equals(m.CtorParameter, p)).Local));
            var initializers = members.Where(m => m.CtorParameter == null && m.Assign == Assign.Initializer).Select(m => $"{m.Name} = {m.Local}").ToList();
            b.Line($"var result = new {full}({args}){(initializers.Count > 0 ? " { " + string.Join(", ", initializers) + " }" : "")};");
            var target = isClass ? "result" : "ref result";
            foreach (var m in conditional)
            {
                // Only when present: a member missing from older data keeps the value its constructor or initializer gave it.
                switch (m.Assign)
                {
                    case Assign.Direct: b.Line($"if ({m.Has}) result.{m.Name} = {m.Local};"); break;
                    case Assign.FieldRef: b.Line($"if ({m.Has}) Field_{m.Id}({target}) = {m.Local};"); break;
                    case Assign.SetterMethod: b.Line($"if ({m.Has}) Set_{m.Id}({target}, {m.Local});"); break;
                }
            }
            b.Line("return result;");
            b.Close();

            foreach (var m in members)
            {
                EmitAccessors(b, m, isClass);
            }
            b.Close();
            b.Line();
            return b.ToString();
        }

        private static void EmitAccessors(CodeBuilder b, MemberSpec m, bool isClass)
        {
            var declaring = (isClass ? "" : "ref ") + Known.FullNoNullable(m.Declaring);
            const string attribute = "[global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.";
            var fieldName = m.Symbol is IFieldSymbol ? m.Name : m.BackingField;
            var assigned = m.CtorParameter == null ? m.Assign : Assign.None;
            if (m.GetterAccessor == "Field_" + m.Id || assigned == Assign.FieldRef)
            {
                b.Line();
                b.Line($"{attribute}Field, Name = {Known.Literal(fieldName!)})]");
                b.Line($"private static extern ref {m.TypeText} Field_{m.Id}({declaring} target);");
            }
            if (m.GetterAccessor == "Get_" + m.Id)
            {
                var property = (IPropertySymbol)m.Symbol;
                b.Line();
                b.Line($"{attribute}Method, Name = {Known.Literal(property.GetMethod!.Name)})]");
                b.Line($"private static extern {m.TypeText} Get_{m.Id}({declaring} target);");
            }
            if (assigned == Assign.SetterMethod)
            {
                var property = (IPropertySymbol)m.Symbol;
                b.Line();
                b.Line($"{attribute}Method, Name = {Known.Literal(property.SetMethod!.Name)})]");
                b.Line($"private static extern void Set_{m.Id}({declaring} target, {m.TypeText} value);");
            }
        }

        /// <summary>The parameter's default value, so data missing a constructor argument gets what a caller omitting it would.</summary>
        private static string DefaultValue(IParameterSymbol p)
        {
            if (!p.HasExplicitDefaultValue || p.ExplicitDefaultValue == null)
            {
                return "default!";
            }
            var value = p.ExplicitDefaultValue;
            string literal;
            switch (value)
            {
                case double d when double.IsNaN(d): literal = "double.NaN"; break;
                case double d when double.IsPositiveInfinity(d): literal = "double.PositiveInfinity"; break;
                case double d when double.IsNegativeInfinity(d): literal = "double.NegativeInfinity"; break;
                case float f when float.IsNaN(f): literal = "float.NaN"; break;
                case float f when float.IsPositiveInfinity(f): literal = "float.PositiveInfinity"; break;
                case float f when float.IsNegativeInfinity(f): literal = "float.NegativeInfinity"; break;
                case decimal m: literal = m.ToString(CultureInfo.InvariantCulture) + "m"; break;
                case float f: literal = f.ToString("R", CultureInfo.InvariantCulture) + "f"; break;
                case double d: literal = d.ToString("R", CultureInfo.InvariantCulture) + "d"; break;
                case long l: literal = l.ToString(CultureInfo.InvariantCulture) + "L"; break;
                case ulong ul: literal = ul.ToString(CultureInfo.InvariantCulture) + "UL"; break;
                case uint ui: literal = ui.ToString(CultureInfo.InvariantCulture) + "U"; break;
                default: literal = SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false); break;
            }
            return $"({Known.Full(p.Type)})({literal})";
        }
    }
}
