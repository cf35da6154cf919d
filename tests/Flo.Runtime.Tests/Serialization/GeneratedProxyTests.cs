using Flo.Invocation;
using Flo.Serialization;
using Flo.TestGrains.Generator;

namespace Flo.Runtime.Tests.Serialization;

/// <summary>
/// Generated proxies and invokables without a runtime: the loopback invoker does what a silo does with a request
/// (serialize the arguments, make a fresh invokable from the interface and method ids, read, invoke, decode field 0).
/// </summary>
[Trait("Category", "Serialization")]
public sealed class GeneratedProxyTests
{
    [Fact]
    public async Task CallsTravelFromProxyOverTheWireToTheInvokableAndBack()
    {
        var impl = new PlainCalculator();
        var (proxy, invoker) = Create<IGenCalculatorGrain>(impl);

        Assert.Equal(5, await proxy.Add(2, 3));
        Assert.Equal(12, await proxy.Add(3, 4));
        Assert.Equal(12, await proxy.Current());
        Assert.Equal("total=12", await proxy.Describe("total=", CancellationToken.None));
        var items = await proxy.Items([new GenItem("a", 1), new GenItem("b", 2)], new() { ["x"] = 3 });
        Assert.Equal(new[] { new GenItem("a", 1), new GenItem("b", 2), new GenItem("x", 3) }, items);
        Assert.Equal(6L, await proxy.Sum([1, 2, 3]));
        Assert.Equal(new GenItem("found", 0), await proxy.Find("found"));
        Assert.Null(await proxy.Find(null));
        Assert.True(await proxy.Equals(12));
        await proxy.Reset();
        Assert.Equal(0, await proxy.Current());
        await proxy.Touch();
        Assert.Equal(1, impl.Touches);
        Assert.Equal(new[] { "Add", "Add", "Current", "Describe", "Items", "Sum", "Find", "Find", "Equals", "Reset", "Current", "Touch" }, invoker.Methods);
    }

    [Fact]
    public async Task OneWayCallsDoNotWaitAndStillDeliver()
    {
        var impl = new PlainCalculator();
        var (proxy, invoker) = Create<IGenCalculatorGrain>(impl);
        var task = proxy.Note("hello");
        Assert.True(task.IsCompletedSuccessfully);
        var valueTask = proxy.NoteValue("world");
        Assert.True(valueTask.IsCompletedSuccessfully);
        await invoker.OneWayDone;
        Assert.Equal(new[] { "hello", "world" }, impl.Notes.Order());
        Assert.All(invoker.OneWayRequests, r => Assert.Equal(InvokeFlags.OneWay, r.Flags));
    }

    [Fact]
    public async Task TheCancellationTokenIsPassedToTheRuntimeAndNotSerialized()
    {
        var (proxy, invoker) = Create<IGenCalculatorGrain>(new PlainCalculator());
        using var cts = new CancellationTokenSource();
        await proxy.Describe("x", cts.Token);
        Assert.Equal(cts.Token, invoker.LastToken);
        // Describe(string, CancellationToken) has arity 1.
        Assert.Equal(StableHash.Of("Describe(1)"), invoker.LastRequest!.MethodId);
    }

    [Fact]
    public async Task AResultTypeWithoutACodecFailsWithSerializationException()
    {
        var (proxy, _) = Create<IGenCalculatorGrain>(new PlainCalculator());
        await Assert.ThrowsAsync<SerializationException>(() => proxy.Unsupported());
    }

    [Fact]
    public void IdsAreTheStableHashOfAliasesOrNameAndArity()
    {
        var info = GrainInterface<IGenCalculatorGrain>.Info;
        Assert.Equal("flo.tests.gen-calculator", info.Alias);
        Assert.Equal(StableHash.Of("flo.tests.gen-calculator"), info.Id);
        Assert.Equal(typeof(IGenCalculatorGrain), info.InterfaceType);

        var derived = GrainInterface<IGenDerivedGrain>.Info;
        Assert.Equal("Flo.TestGrains.Generator.IGenDerivedGrain", derived.Alias);
        Assert.Equal(StableHash.Of("Flo.TestGrains.Generator.IGenDerivedGrain"), derived.Id);

        Assert.Equal("Add", info.CreateInvokable(StableHash.Of("Add(2)"))!.MethodName);
        Assert.Equal("Sum", info.CreateInvokable(StableHash.Of("gen-sum-v2"))!.MethodName);
        Assert.Null(info.CreateInvokable(StableHash.Of("Sum(1)")));
        Assert.Null(info.CreateInvokable(12345));
        Assert.Equal(StableHash.Of("Add(2)"), info.CreateInvokable(StableHash.Of("Add(2)"))!.MethodId);
    }

    [Fact]
    public void FlagsComeFromTheInterfaceMethodAttributes()
    {
        var info = GrainInterface<IGenCalculatorGrain>.Info;
        InvokeFlags Flags(string alias) => info.CreateInvokable(StableHash.Of(alias))!.Flags;
        Assert.Equal(InvokeFlags.None, Flags("Add(2)"));
        Assert.Equal(InvokeFlags.ReadOnly, Flags("Current(0)"));
        Assert.Equal(InvokeFlags.AlwaysInterleave, Flags("Describe(1)"));
        Assert.Equal(InvokeFlags.OneWay, Flags("Note(1)"));
        Assert.Equal(InvokeFlags.OneWay, Flags("NoteValue(1)"));
        Assert.Equal(InvokeFlags.Idempotent, Flags("Reset(0)"));
        Assert.Equal(InvokeFlags.ReadOnly, GrainInterface<IGenDerivedGrain>.Info.CreateInvokable(StableHash.Of("Thrice(1)"))!.Flags);
    }

    [Fact]
    public async Task InheritedMethodsUseTheirDeclaringInterface()
    {
        var (proxy, invoker) = Create<IGenDerivedGrain>(new PlainDerived());
        Assert.Equal(6, await proxy.Twice(3));
        Assert.Equal(9, await proxy.Thrice(3));
        Assert.Equal("base", await ((IGenBaseGrain)proxy).Name());
        Assert.Equal("other", await ((IGenOtherBaseGrain)proxy).Name());

        Assert.Equal(
            new[] { typeof(IGenBaseGrain), typeof(IGenDerivedGrain), typeof(IGenBaseGrain), typeof(IGenOtherBaseGrain) },
            invoker.Requests.Select(r => r.Interface.InterfaceType));
        // A derived interface's metadata maps only the methods it declares; the declaring interface maps the rest.
        var derived = GrainInterface<IGenDerivedGrain>.Info;
        Assert.Null(derived.CreateInvokable(StableHash.Of("Twice(1)")));
        Assert.NotNull(GrainInterface<IGenBaseGrain>.Info.CreateInvokable(StableHash.Of("Twice(1)")));
        Assert.IsAssignableFrom<GrainReference>(proxy);
        Assert.Same(derived, ((GrainReference)(object)proxy).Interface);
    }

    [Fact]
    public async Task InterfacesInheritedFromAnotherAssemblyGetInvokablesHere()
    {
        var (proxy, invoker) = Create<ILocalExtendedGrain>(new PlainExtended());
        Assert.Equal(8, await proxy.Twice(4));
        Assert.Equal("base", await proxy.Name());
        Assert.Equal("local", await proxy.Local());

        var twice = invoker.Requests[0];
        // The proxy's invokable is generated in this assembly, but it names the declaring interface and its ids.
        Assert.Equal(typeof(ILocalExtendedGrain).Assembly, twice.GetType().Assembly);
        Assert.Equal(typeof(IGenBaseGrain), twice.Interface.InterfaceType);
        Assert.Equal(StableHash.Of("Twice(1)"), twice.MethodId);
        // ...and the silo side decodes it with the declaring assembly's invokable.
        Assert.Equal(typeof(IGenBaseGrain).Assembly, invoker.ServerInvokables[0].GetType().Assembly);
    }

    [Fact]
    public void AnInterfaceWithoutMethodsStillHasAProxy()
    {
        var info = GrainInterface<IGenEmptyGrain>.Info;
        var proxy = info.CreateProxy(new LoopbackInvoker(new object()), "k");
        Assert.IsAssignableFrom<IGenEmptyGrain>(proxy);
        Assert.Equal("k", proxy.Key);
        Assert.Null(info.CreateInvokable(0));
    }

    [Fact]
    public void GrainClassesAreRegisteredWithTypeInterfacesAndReentrancy()
    {
        var classes = GrainClassRegistry.FromAssembly(typeof(GenSampleGrain).Assembly);

        var sample = Assert.Single(classes, c => c.ClassType == typeof(GenSampleGrain));
        Assert.Equal("gen-sample", sample.GrainType);
        Assert.True(sample.IsReentrant); // inherited from the abstract base class
        Assert.Equal(
            new[] { typeof(IGenBaseGrain), typeof(IGenDerivedGrain), typeof(IGenEmptyGrain), typeof(IGenOtherBaseGrain) },
            sample.Interfaces.OrderBy(t => t.Name));

        var calculator = Assert.Single(classes, c => c.ClassType == typeof(GenCalculatorGrain));
        Assert.Equal("gencalculator", calculator.GrainType);
        Assert.False(calculator.IsReentrant);
        Assert.Equal(new[] { typeof(IGenCalculatorGrain) }, calculator.Interfaces);

        Assert.DoesNotContain(classes, c => c.ClassType == typeof(GenGrainBase));
    }

    private static (T Proxy, LoopbackInvoker Invoker) Create<T>(object impl) where T : IAddressable
    {
        var invoker = new LoopbackInvoker(impl);
        return ((T)(object)GrainInterface<T>.Info.CreateProxy(invoker, "key"), invoker);
    }

    /// <summary>Plays the silo: every request goes through the wire format and a fresh invokable.</summary>
    private sealed class LoopbackInvoker(object target) : IGrainCallInvoker
    {
        private readonly List<Task> oneWayCalls = [];

        public List<IInvokable> Requests { get; } = [];
        public List<IInvokable> ServerInvokables { get; } = [];
        public List<IInvokable> OneWayRequests { get; } = [];
        public List<string> Methods => Requests.Select(r => r.MethodName).ToList();
        public IInvokable? LastRequest => Requests.LastOrDefault();
        public CancellationToken LastToken { get; private set; }
        public Task OneWayDone => Task.WhenAll(oneWayCalls);

        public async Task<T> InvokeAsync<T>(GrainReference reference, IInvokable request, CancellationToken cancellationToken)
        {
            var result = await RoundTrip(request, cancellationToken);
            var reader = new WireReader(result);
            var (id, wireType) = reader.ReadTag();
            Assert.Equal(0u, id);
            var value = Codec<T>.Instance.ReadValue(reader, wireType);
            Assert.True(reader.IsAtEnd);
            return value;
        }

        public async Task InvokeAsync(GrainReference reference, IInvokable request, CancellationToken cancellationToken)
        {
            var result = await RoundTrip(request, cancellationToken);
            Assert.Empty(result);
        }

        public void InvokeOneWay(GrainReference reference, IInvokable request)
        {
            OneWayRequests.Add(request);
            oneWayCalls.Add(Task.Run(() => RoundTrip(request, CancellationToken.None)));
        }

        private async Task<byte[]> RoundTrip(IInvokable request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }
            LastToken = cancellationToken;
            using var arguments = new WireWriter();
            request.WriteArguments(arguments);

            Assert.True(GrainInterfaceRegistry.TryGet(request.Interface.Id, out var info));
            var fresh = info.CreateInvokable(request.MethodId);
            Assert.NotNull(fresh);
            Assert.NotSame(request, fresh);
            lock (ServerInvokables)
            {
                ServerInvokables.Add(fresh);
            }
            fresh.ReadArguments(new WireReader(arguments.ToArray()));

            using var result = new WireWriter();
            await fresh.InvokeAsync(target, result, cancellationToken);
            return result.ToArray();
        }
    }

    /// <summary>Implements the grain interface without being a grain: invokables only need the interface.</summary>
    private sealed class PlainCalculator : IGenCalculatorGrain
    {
        private int total;

        public List<string> Notes { get; } = [];
        public int Touches { get; private set; }

        public Task<int> Add(int a, int b) => Task.FromResult(total += a + b);
        public Task<int> Current() => Task.FromResult(total);
        public ValueTask<string> Describe(string prefix, CancellationToken cancellationToken) => new(prefix + total);

        public Task Note(string text)
        {
            lock (Notes)
            {
                Notes.Add(text);
            }
            return Task.CompletedTask;
        }

        public async ValueTask NoteValue(string text)
        {
            await Task.Yield();
            await Note(text);
        }

        public Task Reset() => Task.FromResult(total = 0);

        public ValueTask Touch()
        {
            Touches++;
            return default;
        }

        public Task<List<GenItem>> Items(List<GenItem> items, Dictionary<string, int>? extra)
            => Task.FromResult(items.Concat(extra?.Select(p => new GenItem(p.Key, p.Value)) ?? []).ToList());

        public Task<long> Sum(int[] values) => Task.FromResult(values.Sum(v => (long)v));
        public Task<GenItem?> Find(string? request) => Task.FromResult(request is null ? null : new GenItem(request, 0));
        public Task<bool> Equals(int other) => Task.FromResult(other == total);
        public Task<(int, string)> Unsupported() => Task.FromResult((1, "x"));
    }

    private class PlainDerived : IGenDerivedGrain
    {
        Task<string> IGenBaseGrain.Name() => Task.FromResult("base");
        Task<string> IGenOtherBaseGrain.Name() => Task.FromResult("other");
        public Task<int> Twice(int value) => Task.FromResult(value * 2);
        public Task<int> Thrice(int value) => Task.FromResult(value * 3);
    }

    private sealed class PlainExtended : ILocalExtendedGrain
    {
        public Task<string> Name() => Task.FromResult("base");
        public Task<int> Twice(int value) => Task.FromResult(value * 2);
        public Task<string> Local() => Task.FromResult("local");
    }
}

/// <summary>Declared in the test assembly so its base interface's invokables are generated here as well.</summary>
public interface ILocalExtendedGrain : IGenBaseGrain
{
    Task<string> Local();
}
