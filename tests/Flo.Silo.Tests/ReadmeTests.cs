using System.Text.RegularExpressions;
using Flo.Tests.Shared;
using ServiceSample.Grains;

namespace Flo.Silo.Tests;

/// <summary>
/// The README's C# snippets compile and run: every line of them is in <c>samples/</c> (which the solution builds), and
/// the snippet methods of <c>samples/ReadmeSnippets</c> run against a silo that also hosts the sample's own grain.
/// </summary>
[Trait("Category", "Silo")]
public sealed partial class ReadmeTests
{
    [Fact]
    public void EveryCSharpLineOfTheReadmeIsInASample()
    {
        var repository = Repository();
        var readme = File.ReadAllText(Path.Combine(repository, "README.md"));
        var samples = Directory.EnumerateFiles(Path.Combine(repository, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .SelectMany(text => text.Split('\n'))
            .Select(line => line.Trim())
            .ToHashSet(StringComparer.Ordinal);
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(blocks);
        var missing = blocks.SelectMany(b => b.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0 && !samples.Contains(l)).ToList();
        Assert.True(missing.Count == 0, "README lines not found in samples/:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task TheReadmeSnippetsRunAgainstASilo()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Storage = Flo.Storage.FloStorageProvider.Sqlite,
            Configuration = new Dictionary<string, string?> { ["Cluster:GrainAssemblies:0"] = typeof(VisitCounterGrain).Assembly.Location },
        });
        await using var client = await cluster.ConnectAsync();
        await ReadmeSnippets.Snippets.KvAsync(client);
        await ReadmeSnippets.Snippets.QueuesAsync(client);
        await ReadmeSnippets.Snippets.StreamsAsync(client);
        await ReadmeSnippets.Snippets.ActionsAsync(client);
        await ReadmeSnippets.Snippets.DataflowAsync(client);
        await ReadmeSnippets.Snippets.OwnGrainsAsync(client);
        Assert.Equal(2, (await client.Grains.GetGrain<IVisitCounterGrain>("ada").Visit()).Visits);
    }

    internal static string Repository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Cluster.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Cluster.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
