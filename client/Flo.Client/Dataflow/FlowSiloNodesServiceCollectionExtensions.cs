using System.Reflection;
using Flo.Dataflow.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flo.Dataflow;

/// <summary>
/// Runs node types inside a silo: registered on the silo's services, they are found by the node grains of that silo,
/// which then run a generation in the silo (no action run, no worker) instead of handing it to workers.
/// <code>
/// siloBuilder.Services.AddFloFlowNodes(Flow.TypeOf(add), Flow.TypeOf(double));
/// siloBuilder.Services.AddFloFlowNodes(typeof(MyNodes).Assembly);   // every IFlowNodeTypes in it
/// </code>
/// The silo executable does the latter for each path in <c>Cluster:Dataflow:NodeAssemblies</c>. Every silo of a
/// cluster should run the same node types: a node grain on a silo without the type hands it to workers.
/// </summary>
public static class FlowSiloNodesServiceCollectionExtensions
{
    /// <summary>Runs <paramref name="types"/> in this silo.</summary>
    public static IServiceCollection AddFloFlowNodes(this IServiceCollection services, params NodeType[] types)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(types);
        foreach (var type in types)
        {
            ArgumentNullException.ThrowIfNull(type);
        }
        // Checked now, so two types with one name fail at startup, not at the first generation.
        var check = new FlowSiloNodeOptions();
        foreach (var type in types)
        {
            check.Add(type);
        }
        services.AddOptions<FlowSiloNodeOptions>().Configure(o =>
        {
            foreach (var type in types)
            {
                o.Add(type);
            }
        });
        services.TryAddSingleton<IFlowNodeExecutor, SiloNodeExecutor>();
        return services;
    }

    /// <summary>Runs every node type of <paramref name="flow"/> in this silo.</summary>
    public static IServiceCollection AddFloFlowNodes(this IServiceCollection services, FlowDefinition flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return services.AddFloFlowNodes([.. flow.NodeTypes]);
    }

    /// <summary>
    /// Runs the node types listed by every public <see cref="IFlowNodeTypes"/> class of <paramref name="assembly"/>
    /// (each created once with its parameterless constructor); an assembly with none is refused, as a misconfiguration.
    /// </summary>
    public static IServiceCollection AddFloFlowNodes(this IServiceCollection services, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var catalogs = assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && typeof(IFlowNodeTypes).IsAssignableFrom(t))
            .ToList();
        if (catalogs.Count == 0)
        {
            throw new FlowArgumentException($"Assembly {assembly.GetName().Name} has no public class implementing {nameof(IFlowNodeTypes)}: it names no node types for the silo.");
        }
        var types = new List<NodeType>();
        foreach (var catalog in catalogs)
        {
            if (catalog.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new FlowArgumentException($"{catalog.FullName} lists node types but has no public parameterless constructor.");
            }
            types.AddRange(((IFlowNodeTypes)Activator.CreateInstance(catalog)!).NodeTypes);
        }
        return services.AddFloFlowNodes([.. types]);
    }
}
