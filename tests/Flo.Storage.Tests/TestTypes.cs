using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace Flo.Storage.Tests;

/// <summary>A state as grains keep them: generated serializer, stable field ids.</summary>
[GenerateSerializer, Alias("flo.tests.TestState")]
public sealed class TestState
{
    [Id(0)] public int Value { get; set; }

    [Id(1)] public string? Text { get; set; }

    [Id(2)] public byte[]? Blob { get; set; }
}

/// <summary>Orleans' serializer outside a silo, and providers built on it.</summary>
internal static class TestServices
{
    private static readonly ServiceProvider Services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(TestState).Assembly))
        .BuildServiceProvider();

    public static Serializer Serializer => Services.GetRequiredService<Serializer>();

    public static FloGrainStorage CreateStorage(FloStorageOptions options, string name = "test")
        => new(name, options, Serializer, Services.GetRequiredService<IActivatorProvider>(), NullLoggerFactory.Instance);
}
