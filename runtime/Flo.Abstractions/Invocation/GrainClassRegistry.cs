using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Flo.Invocation;

/// <summary>What the generated code knows about a grain class: its grain type, interfaces and how to construct it.</summary>
public sealed class GrainClassInfo
{
    /// <summary>Created by generated code.</summary>
    public GrainClassInfo(string grainType, Type classType, Type[] interfaces, bool isReentrant, Func<IGrainContext, Grain> create)
    {
        GrainType = grainType;
        ClassType = classType;
        Interfaces = interfaces;
        IsReentrant = isReentrant;
        Create = create;
    }

    /// <summary>Stable grain type name (part of every <see cref="GrainId"/>).</summary>
    public string GrainType { get; }

    /// <summary>The C# class.</summary>
    public Type ClassType { get; }

    /// <summary>Grain interfaces the class implements.</summary>
    public Type[] Interfaces { get; }

    /// <summary>Whether the class is [Reentrant].</summary>
    public bool IsReentrant { get; }

    /// <summary>Constructs the grain; its constructor dependencies come from the context's services.</summary>
    public Func<IGrainContext, Grain> Create { get; }
}

/// <summary>Grain classes registered by generated module initializers.</summary>
public static class GrainClassRegistry
{
    private static readonly ConcurrentDictionary<Type, GrainClassInfo> ByClass = new();

    /// <summary>Registers a grain class.</summary>
    public static void Register(GrainClassInfo info) => ByClass[info.ClassType] = info;

    /// <summary>Grain classes declared in the assembly (runs its module initializer first).</summary>
    public static IReadOnlyList<GrainClassInfo> FromAssembly(Assembly assembly)
    {
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        return ByClass.Values.Where(c => c.ClassType.Assembly == assembly).ToList();
    }
}
