using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Activators;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Flo.Storage;

/// <summary>
/// Maps <see cref="StateWithRecordsAttribute"/> on a grain constructor parameter to a factory of
/// <see cref="IStateWithRecords{TState}"/>, once per parameter (the only reflection); each activation then gets its own
/// instance bound to the named <see cref="IRecordGrainStorage"/>. Registered by <c>AddFloGrainStorage</c>.
/// </summary>
public sealed class StateWithRecordsAttributeMapper : IAttributeToFactoryMapper<StateWithRecordsAttribute>
{
    /// <inheritdoc/>
    public Factory<IGrainContext, object> GetFactory(ParameterInfo parameter, StateWithRecordsAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(attribute);
        var type = parameter.ParameterType;
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IStateWithRecords<>))
        {
            throw new ArgumentException(
                $"Parameter '{parameter.Name}' on the constructor of '{parameter.Member.DeclaringType}' has an unsupported type, '{type}'. "
                + $"It must be '{typeof(IStateWithRecords<>).Name[..^2]}<TState>' because it has a [StateWithRecords(...)] attribute.",
                parameter.Name);
        }
        var stateName = string.IsNullOrEmpty(attribute.StateName) ? parameter.Name! : attribute.StateName;
        var factory = (IFacetFactory)Activator.CreateInstance(typeof(FacetFactory<>).MakeGenericType(type.GetGenericArguments()), stateName, attribute.StorageName)!;
        return factory.Create;
    }

    private interface IFacetFactory
    {
        object Create(IGrainContext context);
    }

    private sealed class FacetFactory<TState>(string stateName, string? storageName) : IFacetFactory
    {
        private readonly string observerName = $"{nameof(StateWithRecords<TState>)}-{stateName}";

        // The silo's singletons, found at the first activation (the mapper, hence this factory, belongs to one silo):
        // looking them up again for every activation was a measurable part of a key's activation.
        private Resolved? resolved;

        public object Create(IGrainContext context)
        {
            var services = resolved ??= Resolve(context);
            return new StateWithRecords<TState>(stateName, observerName, context, services.Storage, services.Serializer, services.Activator.Create());
        }

        private Resolved Resolve(IGrainContext context)
        {
            var services = context.ActivationServices;
            var storage = string.IsNullOrWhiteSpace(storageName)
                ? services.GetService<IGrainStorage>()
                : services.GetKeyedService<IGrainStorage>(storageName);
            var which = string.IsNullOrWhiteSpace(storageName) ? "the default grain storage" : $"grain storage \"{storageName}\"";
            if (storage is null)
            {
                throw new BadProviderConfigException(
                    $"No {(string.IsNullOrWhiteSpace(storageName) ? "default grain storage" : $"grain storage named \"{storageName}\"")} is registered; "
                    + $"[StateWithRecords(\"{stateName}\")] of grain type {context.GrainId.Type} needs one (siloBuilder.AddFloGrainStorage).");
            }
            if (storage is not IRecordGrainStorage records)
            {
                throw new BadProviderConfigException(
                    $"[StateWithRecords(\"{stateName}\")] of grain type {context.GrainId.Type} needs an {nameof(IRecordGrainStorage)}, "
                    + $"but {which} is a {storage.GetType().FullName}. Register a Flo grain storage under that name (siloBuilder.AddFloGrainStorage).");
            }
            return new Resolved(records, services.GetRequiredService<Serializer>(), services.GetRequiredService<IActivatorProvider>().GetActivator<TState>());
        }

        private sealed record Resolved(IRecordGrainStorage Storage, Serializer Serializer, IActivator<TState> Activator);
    }
}
