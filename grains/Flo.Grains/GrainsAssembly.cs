namespace Flo.Grains;

/// <summary>Names this assembly (the platform's grains) where a type is needed, e.g. to add it to a silo or test cluster.</summary>
public static class GrainsAssembly
{
}
