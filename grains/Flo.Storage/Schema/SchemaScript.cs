using System.Globalization;
using System.Reflection;

namespace Flo.Storage.Schema;

/// <summary>
/// A versioned schema script embedded from <c>Schema/&lt;dialect&gt;/NNN_name.sql</c>. Adding a file with the next number
/// is all a schema change needs: every silo applies it at start. Scripts are never edited once released.
/// </summary>
/// <param name="Version">The number in front of the file name.</param>
/// <param name="Name">The file name without number and extension.</param>
/// <param name="Sql">The script.</param>
internal sealed record SchemaScript(int Version, string Name, string Sql)
{
    /// <summary>The scripts of one dialect (<c>sqlite</c>, <c>postgres</c>) in version order.</summary>
    public static IReadOnlyList<SchemaScript> Load(string dialect)
    {
        var assembly = typeof(SchemaScript).Assembly;
        // Resource names are the folder path joined with dots: Flo.Storage.Schema.sqlite.001_grain_storage.sql
        var prefix = $"Flo.Storage.Schema.{dialect}.";
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            var file = resource[prefix.Length..^".sql".Length];
            var separator = file.IndexOf('_');
            if (separator <= 0 || !int.TryParse(file.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
            {
                throw new InvalidOperationException($"Schema script '{resource}' is not named NNN_name.sql.");
            }
            scripts.Add(new SchemaScript(version, file[(separator + 1)..], Read(assembly, resource)));
        }
        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException($"Two {dialect} schema scripts have number {scripts[i].Version}: {scripts[i - 1].Name} and {scripts[i].Name}.");
            }
        }
        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No {dialect} schema scripts are embedded in {assembly.GetName().Name}.");
        }
        return scripts;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Version:D3}_{Name}";
}
