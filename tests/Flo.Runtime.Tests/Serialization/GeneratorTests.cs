using System.Collections.Immutable;
using Flo.CodeGenerator;
using Flo.Invocation;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flo.Runtime.Tests.Serialization;

/// <summary>Runs <see cref="GrainCodeGenerator"/> on small sources in memory: diagnostics, output shape, ids, caching.</summary>
[Trait("Category", "Serialization")]
public sealed class GeneratorTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Flo;

        """;

    private const string CounterSample = Usings + """
        namespace Demo;

        public interface ICounterGrain : Flo.IGrainWithStringKey
        {
            Task<int> Add(int delta);
            [ReadOnly] Task<int> Get();
            [OneWay] Task Ping(string note);
            ValueTask<List<string>> Names(CancellationToken ct);
            Task Reset();
            ValueTask Touch();
        }

        [GenerateSerializer]
        public sealed class CounterState { [Id(0)] public int Value { get; set; } }

        public sealed class CounterGrain(
            [PersistentState("state", "Default")] IPersistentState<CounterState> state,
            Microsoft.Extensions.Logging.ILogger<CounterGrain> logger) : Grain, ICounterGrain
        {
            public Task<int> Add(int delta) => Task.FromResult(state.State.Value += delta);
            public Task<int> Get() { logger.ToString(); return Task.FromResult(state.State.Value); }
            public Task Ping(string note) => Task.CompletedTask;
            public ValueTask<List<string>> Names(CancellationToken ct) => new(new List<string>());
            public Task Reset() => Task.CompletedTask;
            public ValueTask Touch() => default;
        }
        """;

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path =>
            {
                var name = Path.GetFileName(path);
                return name.StartsWith("System.", StringComparison.Ordinal) || name is "System.dll" or "netstandard.dll" or "mscorlib.dll" or "Flo.Abstractions.dll"
                    || name.StartsWith("Microsoft.Extensions.DependencyInjection.Abstractions", StringComparison.Ordinal)
                    || name.StartsWith("Microsoft.Extensions.Logging.Abstractions", StringComparison.Ordinal);
            })
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static CSharpCompilation Compile(params string[] sources)
        => CSharpCompilation.Create("Sample",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Sample{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static GeneratorDriver Driver()
        => CSharpGeneratorDriver.Create([new GrainCodeGenerator().AsSourceGenerator()], parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics, string Generated) Run(params string[] sources)
    {
        var driver = Driver().RunGeneratorsAndUpdateCompilation(Compile(sources), out var output, out var diagnostics);
        var generated = string.Join("\n", driver.GetRunResult().GeneratedTrees.OrderBy(t => t.FilePath, StringComparer.Ordinal).Select(t => t.ToString()));
        return (output, diagnostics, generated);
    }

    [Fact]
    public void TheCounterSampleCompilesAndHasTheDocumentedShape()
    {
        var (output, diagnostics, generated) = Run(CounterSample);

        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        using var pe = new MemoryStream();
        Assert.True(output.Emit(pe).Success);

        Assert.Contains("namespace Sample.FloGenerated", generated);
        Assert.Contains("internal sealed class Proxy_Demo_ICounterGrain : global::Flo.Invocation.GrainReference, global::Demo.ICounterGrain", generated);
        Assert.Contains("public global::System.Threading.Tasks.Task<int> Add(int @delta)", generated);
        Assert.Contains("return new(Invoke<global::System.Collections.Generic.List<string>>(request, @ct));", generated);
        Assert.Contains("internal sealed class Invokable_Demo_ICounterGrain_Add_1 : global::Flo.Invocation.IInvokable", generated);
        Assert.Contains($"public uint MethodId => 0x{StableHash.Of("Add(1)"):X8}u;", generated);
        Assert.Contains("public global::Flo.Invocation.InvokeFlags Flags => global::Flo.Invocation.InvokeFlags.ReadOnly;", generated);
        Assert.Contains("var value = await ((global::Demo.ICounterGrain)grain).Add(arg0);", generated);
        Assert.Contains("await ((global::Demo.ICounterGrain)grain).Names(cancellationToken);", generated);
        Assert.Contains("internal sealed class Invokable_Demo_ICounterGrain_Names_0", generated);
        Assert.Contains("new(typeof(global::Demo.ICounterGrain), \"Demo.ICounterGrain\",", generated);
        Assert.Contains("internal sealed class Codec_Demo_CounterState : global::Flo.Serialization.IFieldCodec<global::Demo.CounterState>", generated);
        Assert.Contains("[global::System.Runtime.CompilerServices.ModuleInitializer]", generated);
        Assert.Contains("global::Flo.Invocation.GrainInterfaceRegistry.Register(Metadata_Demo_ICounterGrain.Info);", generated);
        Assert.Contains("global::Flo.Serialization.CodecRegistry.Register<global::Demo.CounterState>(new Codec_Demo_CounterState());", generated);
        Assert.Contains("new global::Flo.Invocation.GrainClassInfo(\"counter\", typeof(global::Demo.CounterGrain),", generated);
        Assert.Contains("context.GetPersistentState<global::Demo.CounterState>(\"state\", \"Default\"),", generated);
        Assert.Contains("GetRequiredService<global::Microsoft.Extensions.Logging.ILogger<global::Demo.CounterGrain>>(context.Services)", generated);
        Assert.StartsWith("// <auto-generated/>\n#nullable enable\n", generated);
        Assert.Single(output.SyntaxTrees, t => t.ToString().Contains("ModuleInitializer"));
    }

    [Fact]
    public void IdempotentSetsItsFlagAloneAndCombinedWithOthers()
    {
        var (output, diagnostics, generated) = Run(Usings + """
            namespace Demo;
            public interface IRegisterGrain : Flo.IGrainWithStringKey
            {
                [Idempotent] Task Set(int value);
                [ReadOnly, Idempotent] Task<int> Get();
                Task<int> Increment();
            }
            """);

        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains("public global::Flo.Invocation.InvokeFlags Flags => global::Flo.Invocation.InvokeFlags.Idempotent;", generated);
        Assert.Contains("public global::Flo.Invocation.InvokeFlags Flags => global::Flo.Invocation.InvokeFlags.ReadOnly | global::Flo.Invocation.InvokeFlags.Idempotent;", generated);
        Assert.Contains("public global::Flo.Invocation.InvokeFlags Flags => global::Flo.Invocation.InvokeFlags.None;", generated);
        Assert.Equal(8, (int)InvokeFlags.Idempotent);
    }

    [Fact]
    public void NothingIsEmittedWhenThereIsNothingToRegister()
    {
        var (output, diagnostics, generated) = Run(Usings + "namespace Empty; public class C : System.Exception { }");
        Assert.Empty(diagnostics);
        Assert.Equal("", generated);
        Assert.Single(output.SyntaxTrees);
    }

    [Fact]
    public void OutputIsIndependentOfDeclarationOrder()
    {
        const string a = Usings + "namespace N; public interface IA : IGrainWithStringKey { Task<int> A(); } [GenerateSerializer] public class SA { [Id(0)] public int X; }";
        const string b = Usings + "namespace N; public interface IB : IGrainWithStringKey { Task<int> B(); } [GenerateSerializer] public class SB { [Id(0)] public int Y; }";
        Assert.Equal(Run(a, b).Generated, Run(b, a).Generated);
        Assert.Equal(Run(a, b).Generated, Run(a, b).Generated);
    }

    [Theory]
    [InlineData("FLO001", "public interface IBad : IGrainWithStringKey { int Count(); }")]
    [InlineData("FLO001", "public interface IBad : IGrainWithStringKey { void Fire(); }")]
    [InlineData("FLO002", "public interface IBad<T> : IGrainWithStringKey { Task<T> Get(); }")]
    [InlineData("FLO002", "public interface IBad : IGrainWithStringKey { Task<T> Get<T>(); }")]
    [InlineData("FLO005", "public interface IBad : IGrainWithStringKey { Task Get(ref int x); }")]
    [InlineData("FLO006", "public interface IBad : IGrainWithStringKey { [OneWay] Task<int> Get(); }")]
    [InlineData("FLO007", "public interface IBad : IGrainWithStringKey { int Count { get; } }")]
    [InlineData("FLO007", "public interface IBad : IGrainWithStringKey { event EventHandler Changed; }")]
    [InlineData("FLO008", "public interface IBad : IGrainWithStringKey { Task Add(int x); Task Add(string x); }")]
    [InlineData("FLO008", "public interface IBad : IGrainWithStringKey { [Alias(\"same\")] Task A(); [Alias(\"same\")] Task B(); }")]
    [InlineData("FLO002", "[GenerateSerializer] public class Bad<T> { [Id(0)] public T Value = default!; }")]
    [InlineData("FLO004", "[GenerateSerializer] public class Bad { [Id(0)] public int A; [Id(0)] public int B; }")]
    [InlineData("FLO004", "[GenerateSerializer] public class Base { [Id(1)] public int A; } [GenerateSerializer] public class Bad : Base { [Id(1)] public int B; }")]
    [InlineData("FLO003", "[GenerateSerializer] public class Bad { [Id(0)] public int A { get; } }")]
    [InlineData("FLO003", "[GenerateSerializer] public class Bad([Id(0)] int a) { public int Sum => a; }")]
    [InlineData("FLO003", "[GenerateSerializer] public class Bad { public Bad(int unrelated) { } [Id(0)] public int A { get; set; } }")]
    [InlineData("FLO003", "[GenerateSerializer] public class Bad { [Id(0)] public int this[int i] { get => i; set { } } }")]
    [InlineData("FLO010", "public class Outer { [GenerateSerializer] private class Bad { [Id(0)] public int A; } }")]
    [InlineData("FLO010", "public class Outer { private interface IBad : IGrainWithStringKey { Task A(); } }")]
    [InlineData("FLO009", "public interface IOk : IGrainWithStringKey { Task A(); } public class BadGrain([PersistentState(\"s\")] string state) : Grain, IOk { public Task A() => Task.CompletedTask; }")]
    [InlineData("FLO009", "public interface IOk : IGrainWithStringKey { Task A(); } public class BadGrain : Grain, IOk { private BadGrain() { } public Task A() => Task.CompletedTask; }")]
    [InlineData("FLO002", "public interface IOk : IGrainWithStringKey { Task A(); } public class BadGrain<T> : Grain, IOk { public Task A() => Task.CompletedTask; }")]
    public void InvalidDeclarationsAreReportedAsErrors(string id, string declaration)
    {
        var source = Usings + "namespace Bad;\n" + declaration + "\npublic interface IStillFine : IGrainWithStringKey { Task<int> Fine(); }";
        var (output, diagnostics, generated) = Run(source);

        var diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // Models keep a path and span rather than a syntax tree (so they stay cacheable): an external-file location.
        Assert.Equal("Sample0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(6, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.All(diagnostics, d => Assert.StartsWith("FLO", d.Id));
        // The rest of the compilation is still generated, and nothing generated adds errors of its own.
        Assert.Contains("Proxy_Bad_IStillFine", generated);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs") == true);
    }

    [Fact]
    public void AnInvalidBaseInterfaceStopsTheDerivedOneWithoutDuplicateReports()
    {
        var source = Usings + "namespace N; public interface IBase : IGrainWithStringKey { int Bad(); } public interface IDerived : IBase { Task Ok(); }";
        var (output, diagnostics, generated) = Run(source);
        Assert.Single(diagnostics, d => d.Id == "FLO001");
        Assert.DoesNotContain("Proxy_N_IDerived", generated);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS"));
    }

    [Fact]
    public void TheGeneratorsHashIsStableHash()
    {
        var samples = new[]
        {
            "", "Add(1)", "Demo.ICounterGrain", "flo.diagnostics.ping", "héllo ✓", "日本語(3)", "emoji 🎉", "\uD800 lone surrogate",
            new string('x', 1000) + "é",
        };
        foreach (var s in samples)
        {
            Assert.Equal(StableHash.Of(s), Known.Fnv(s));
        }
        // And the constant the generator wrote into a compiled invokable agrees with the runtime's hash.
        var add = Flo.Invocation.GrainInterface<Flo.TestGrains.Generator.IGenCalculatorGrain>.Info.CreateInvokable(StableHash.Of("Add(2)"));
        Assert.Equal(StableHash.Of("Add(2)"), add!.MethodId);
    }

    [Fact]
    public void UnrelatedEditsReuseCachedOutput()
    {
        var compilation = Compile(CounterSample, "namespace Other; public class Plain { public int M() => 1; }");
        var driver = Driver().RunGenerators(compilation);

        // Edit a file with no grain or serializer types.
        var plain = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(plain,
            CSharpSyntaxTree.ParseText("namespace Other; public class Plain { public int M() => 2; public int N() => 3; }", ParseOptions, path: plain.FilePath));
        driver = driver.RunGenerators(edited);

        var outputs = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        // A real change to a grain interface regenerates.
        var sample = edited.SyntaxTrees.First();
        var changed = edited.ReplaceSyntaxTree(sample,
            CSharpSyntaxTree.ParseText(CounterSample.Replace("Task Reset();", "Task Reset(); Task<int> Extra();"), ParseOptions, path: sample.FilePath));
        driver = driver.RunGenerators(changed);
        var rerun = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs);
        Assert.Contains(rerun, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(driver.GetRunResult().GeneratedTrees, t => t.ToString().Contains("Invokable_Demo_ICounterGrain_Extra_0"));
    }
}
