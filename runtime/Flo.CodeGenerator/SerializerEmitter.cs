using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Flo.CodeGenerator
{
    /// <summary>Emits a version-tolerant codec for a [GenerateSerializer] class, record or struct.</summary>
    internal static class SerializerEmitter
    {
        private sealed class Member
        {
            public string Name = "";
            public ITypeSymbol Type = null!;
            public uint Id;
            public bool Settable;
            public bool InitOnly;
        }

        public static void Emit(SourceProductionContext spc, INamedTypeSymbol type, StringBuilder body, StringBuilder registrations)
        {
            var loc = type.Locations.FirstOrDefault();
            if (type.IsGenericType)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.Generic, loc, Known.Name(type)));
                return;
            }
            var members = new List<Member>();
            var ok = true;
            var chain = new List<INamedTypeSymbol>();
            for (var t = type; t != null && (SymbolEqualityComparer.Default.Equals(t, type) || Known.Attr(t, Known.GenerateSerializer) != null); t = t.BaseType)
            {
                chain.Add(t);
            }
            foreach (var t in chain)
            {
                var ctorIds = new Dictionary<string, uint>(StringComparer.Ordinal);
                foreach (var c in t.InstanceConstructors)
                {
                    foreach (var p in c.Parameters)
                    {
                        if (Known.Attr(p, Known.Id)?.ConstructorArguments.FirstOrDefault().Value is uint pid)
                        {
                            ctorIds[p.Name] = pid;
                        }
                    }
                }
                foreach (var symbol in t.GetMembers())
                {
                    uint? id = Known.Attr(symbol, Known.Id)?.ConstructorArguments.FirstOrDefault().Value as uint?;
                    if (id == null && symbol is IPropertySymbol && ctorIds.TryGetValue(symbol.Name, out var fromCtor))
                    {
                        id = fromCtor;
                    }
                    if (id == null || symbol.IsStatic)
                    {
                        continue;
                    }
                    if (symbol.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                    {
                        spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.Member, symbol.Locations.FirstOrDefault(), Known.Name(symbol), "serialized members must be public or internal"));
                        ok = false;
                        continue;
                    }
                    if (symbol is IFieldSymbol f)
                    {
                        members.Add(new Member { Name = f.Name, Type = f.Type, Id = id.Value, Settable = !f.IsReadOnly });
                    }
                    else if (symbol is IPropertySymbol p)
                    {
                        var setter = p.SetMethod;
                        var accessible = setter != null && setter.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;
                        members.Add(new Member { Name = p.Name, Type = p.Type, Id = id.Value, Settable = accessible && !setter!.IsInitOnly, InitOnly = accessible && setter!.IsInitOnly });
                    }
                }
            }
            foreach (var dup in members.GroupBy(m => m.Id).Where(g => g.Count() > 1))
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.DuplicateId, loc, Known.Name(type), dup.Key));
                ok = false;
            }
            if (!ok)
            {
                return;
            }

            // Construction: the constructor whose parameters all map to members (most parameters first), else parameterless.
            var byName = members.ToDictionary(m => m.Name.ToLowerInvariant(), m => m);
            var ctor = type.InstanceConstructors
                .Where(c => c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal)
                .Where(c => c.Parameters.All(p => byName.ContainsKey(p.Name.ToLowerInvariant())))
                .Where(c => !(c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, type)))
                .OrderByDescending(c => c.Parameters.Length).FirstOrDefault();
            if (ctor == null && type.TypeKind != TypeKind.Struct)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.Member, loc, Known.Name(type), "needs a parameterless constructor or one whose parameters all match [Id] members"));
                return;
            }
            var viaCtor = new HashSet<Member>((ctor?.Parameters ?? default).IsDefault ? Enumerable.Empty<Member>() : ctor!.Parameters.Select(p => byName[p.Name.ToLowerInvariant()]));
            foreach (var m in members.Where(m => !viaCtor.Contains(m) && !m.Settable && !m.InitOnly))
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.Member, loc, Known.Name(type) + "." + m.Name, "is get-only and not set by a constructor"));
                return;
            }

            var full = Known.FullNoNullable(type);
            var name = "Codec_" + Known.Mangle(type.ToDisplayString());
            var isClass = type.TypeKind == TypeKind.Class;
            var ordered = members.OrderBy(m => m.Id).ToList();
            body.AppendLine($"    internal sealed class {name} : global::Flo.Serialization.IFieldCodec<{full}>");
            body.AppendLine("    {");
            body.AppendLine($"        public void WriteField(global::Flo.Serialization.WireWriter writer, uint fieldId, {full} value)");
            body.AppendLine("        {");
            if (isClass)
            {
                body.AppendLine("            if (value is null) { writer.WriteNull(fieldId); return; }");
            }
            body.AppendLine("            writer.WriteStartObject(fieldId);");
            foreach (var m in ordered)
            {
                body.AppendLine($"            global::Flo.Serialization.Codec<{Known.Full(m.Type)}>.Instance.WriteField(writer, {m.Id}, value.{m.Name});");
            }
            body.AppendLine("            writer.WriteEndObject();");
            body.AppendLine("        }");
            body.AppendLine($"        public {full} ReadValue(global::Flo.Serialization.WireReader reader, global::Flo.Serialization.WireType wireType)");
            body.AppendLine("        {");
            if (isClass)
            {
                body.AppendLine("            if (wireType == global::Flo.Serialization.WireType.Null) return null!;");
            }
            body.AppendLine("            global::Flo.Serialization.WireReader.Expect(wireType, global::Flo.Serialization.WireType.StartObject);");
            body.AppendLine("            reader.EnterNested();");
            foreach (var m in ordered)
            {
                body.AppendLine($"            {Known.Full(m.Type)} m{m.Id} = default!; bool has{m.Id} = false;");
            }
            body.AppendLine("            while (true)");
            body.AppendLine("            {");
            body.AppendLine("                var (id, wt) = reader.ReadTag();");
            body.AppendLine("                if (wt == global::Flo.Serialization.WireType.EndObject) break;");
            body.AppendLine("                switch (id)");
            body.AppendLine("                {");
            foreach (var m in ordered)
            {
                body.AppendLine($"                    case {m.Id}: m{m.Id} = global::Flo.Serialization.Codec<{Known.Full(m.Type)}>.Instance.ReadValue(reader, wt); has{m.Id} = true; break;");
            }
            body.AppendLine("                    default: reader.Skip(wt); break;");
            body.AppendLine("                }");
            body.AppendLine("            }");
            body.AppendLine("            reader.ExitNested();");
            var ctorArgs = ctor == null ? "" : string.Join(", ", ctor.Parameters.Select(p => "m" + byName[p.Name.ToLowerInvariant()].Id));
            var inits = ordered.Where(m => !viaCtor.Contains(m) && m.InitOnly).Select(m => $"{m.Name} = m{m.Id}").ToList();
            body.AppendLine($"            var result = new {full}({ctorArgs}){(inits.Count > 0 ? " { " + string.Join(", ", inits) + " }" : "")};");
            foreach (var m in ordered.Where(m => !viaCtor.Contains(m) && m.Settable))
            {
                // Assigned only when present, so a member missing from older data keeps its initializer's value.
                body.AppendLine($"            if (has{m.Id}) result.{m.Name} = m{m.Id};");
            }
            body.AppendLine("            return result;");
            body.AppendLine("        }");
            body.AppendLine("    }");
            registrations.AppendLine($"            global::Flo.Serialization.CodecRegistry.Register<{full}>(new {name}());");
        }
    }
}
