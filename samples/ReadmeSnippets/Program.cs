using Flo;
using ReadmeSnippets;

// The README's C# snippets, as a program (tests/Flo.Silo.Tests checks that every line of them is here and runs them).
// Against a silo started with `dotnet run --project silo` (add
// --Cluster:GrainAssemblies:0=samples/ServiceSample.Grains/bin/Debug/net10.0/ServiceSample.Grains.dll for the last one):
//   dotnet run --project samples/ReadmeSnippets
await using var client = await FloClient.ConnectAsync("localhost:9000");
await Snippets.KvAsync(client);
await Snippets.QueuesAsync(client);
await Snippets.StreamsAsync(client);
await Snippets.ActionsAsync(client);
await Snippets.OwnGrainsAsync(client);
Console.WriteLine("All README snippets ran.");
