namespace Flo.Grains;

/// <summary>Names this assembly for <c>SiloBuilder.AddGrains&lt;GrainsAssembly&gt;()</c>.</summary>
public static class GrainsAssembly
{
}
