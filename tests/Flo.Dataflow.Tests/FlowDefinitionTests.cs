namespace Flo.Dataflow.Tests;

/// <summary>Building flows: the DSL's reading of node functions, and every error a flow is refused with before it runs.</summary>
[Trait("Category", "Dataflow")]
public sealed class FlowDefinitionTests
{
    [Fact]
    public void TheSeedsSelfLoopWithoutDefaultIsRefusedNamingTheCycleAndParameter()
    {
        var e = Assert.Throws<FlowCycleWithoutDefaultException>(SelfLoop.BuildAsDocumented);
        Assert.Equal(["result", "result"], e.Cycle);
        var candidate = Assert.Single(e.Candidates);
        Assert.Equal("result", candidate.Node);
        Assert.Equal("add", candidate.NodeType);
        Assert.Equal(["b"], candidate.Parameters);
        Assert.Contains("result -> result", e.Message);
        Assert.Contains("add(int a, int b)", e.Message);
    }

    [Fact]
    public void ACycleWithoutDefaultNamesEachNodeAndItsParameters()
    {
        var e = Assert.Throws<FlowCycleWithoutDefaultException>(CycleBreaking.BuildWithoutDefault);
        Assert.Equal(["a", "b", "a"], e.Cycle);
        Assert.Equal(["a", "b"], e.Candidates.Select(c => c.Node));
        Assert.Equal(["Increment", "Double"], e.Candidates.Select(c => c.NodeType));
        Assert.All(e.Candidates, c => Assert.Equal(["value"], c.Parameters));
        Assert.Contains("Increment(int value)", e.Message);
        Assert.Contains("Double(int value)", e.Message);
        Assert.Contains("\nOR\n", e.Message);
    }

    [Fact]
    public void OnlyParametersFedFromTheCycleNeedDefaults()
    {
        var e = Assert.Throws<FlowCycleWithoutDefaultException>(CycleBreaking.BuildTwoParameterCycle);
        Assert.Equal(["x"], e.Candidates.Single(c => c.Node == "a").Parameters);
        var b = e.Candidates.Single(c => c.Node == "b");
        Assert.Equal(["y"], b.Parameters);
        Assert.Equal("B(string x, int y)", b.Signature);
    }

    [Fact]
    public void AnIntOutputIntoAStringInputIsAMismatchNamingNodesPortsAndTypes()
    {
        var e = Assert.Throws<FlowTypeMismatchException>(TypeMismatch.Build);
        Assert.Equal("d", e.Node);
        Assert.Equal("string_input", e.Parameter);
        Assert.Equal("string", e.ExpectedType);
        Assert.Equal("SomeNode#0", e.SourceNode);
        Assert.Equal("value", e.SourceOutput);
        Assert.Equal("int", e.ActualType);
        Assert.Contains("node 'd' (SomeNode) parameter 'string_input' takes string, but node 'SomeNode#0' (SomeNode) output 'value' gives int", e.Message);
        Assert.NotNull(TypeMismatch.BuildMatching());
    }

    [Fact]
    public void AConstantOfTheWrongTypeIsAMismatch()
    {
        var add = Flow.Node("add", async (int a, int b) => a + b);
        var f = new FlowBuilder();
        f["sum"] = add("one", 2);
        var e = Assert.Throws<FlowTypeMismatchException>(f.Build);
        Assert.Equal(("sum", "a", "string"), (e.Node, e.Parameter, e.ActualType));
        Assert.Null(e.SourceNode);
    }

    [Fact]
    public void ATypedReferenceMustGetTheTypeItPromised()
    {
        var text = Flow.Node("text", async () => "hello");
        var f = new FlowBuilder();
        var r = f.Ref<int>("r");
        f.Set(r, text());
        var e = Assert.Throws<FlowTypeMismatchException>(f.Build);
        Assert.Equal(("r", "int", "string"), (e.Node, e.ExpectedType, e.ActualType));
    }

    [Fact]
    public void ATypedOutputElementIsCheckedToo()
    {
        var pair = Flow.Node("pair", async () => (count: 1, name: "x"));
        var twice = Flow.Node("twice", async (int value) => value * 2);
        var f = new FlowBuilder();
        f["pair"] = pair();
        f["ok"] = twice(f["pair"].Output("count"));
        f["bad"] = twice(f["pair"].Output(1));
        var e = Assert.Throws<FlowTypeMismatchException>(f.Build);
        Assert.Equal(("bad", "name", "string"), (e.Node, e.SourceOutput, e.ActualType));
    }

    [Fact]
    public void AReferenceNeverDefinedIsRefused()
    {
        var increment = Flow.Node("Increment", async (int value) => value + 1);
        var f = new FlowBuilder();
        f["a"] = increment(f["nope"]);
        var e = Assert.Throws<FlowUndefinedReferenceException>(f.Build);
        Assert.Equal(("nope", "a"), (e.Name, e.UsedBy));
    }

    [Fact]
    public void AParameterWithoutInputOrDefaultIsRefused()
    {
        var add = Flow.Node("add", async (int a, int b) => a + b);
        var f = new FlowBuilder();
        f["sum"] = add(1);
        var e = Assert.Throws<FlowMissingInputException>(f.Build);
        Assert.Equal(("sum", "b"), (e.Node, e.Parameter));
    }

    [Fact]
    public void OutputsThatDoNotExistAreRefusedAtOnceForNodesAndAtBuildForReferences()
    {
        var sumAndDiff = Flow.Node("SumAndDiff", async (int x, int y) => (sum: x + y, diff: x - y));
        var identity = Flow.Node("Identity", async (int value) => value);
        Assert.Throws<FlowDefinitionException>(() => sumAndDiff(3, 1).Output(2));
        Assert.Throws<FlowDefinitionException>(() => sumAndDiff(3, 1).Output("product"));
        var f = new FlowBuilder();
        f["x"] = identity(f["sd"].Output("product"));
        f["sd"] = sumAndDiff(3, 1);
        var e = Assert.Throws<FlowDefinitionException>(f.Build);
        Assert.Contains("no output 'product'", e.Message);
        Assert.Contains("value, sum, diff", e.Message);
    }

    [Fact]
    public void AStreamParameterTakesANodeNotAConstantAndANameIsDefinedOnce()
    {
        var sum = Flow.Node("Sum", async (IAsyncEnumerable<int> values) => 0);
        var f = new FlowBuilder();
        f["s"] = sum(1);
        Assert.Throws<FlowDefinitionException>(f.Build);
        Assert.Throws<FlowDefinitionException>(() => f["s"] = sum(1));
    }

    [Fact]
    public void TwoNodeTypesWithOneNameAreRefused()
    {
        var one = Flow.Node("same", async () => 1);
        var other = Flow.Node("same", async () => 2);
        var f = new FlowBuilder();
        f["a"] = one();
        f["b"] = other();
        Assert.Throws<FlowDefinitionException>(f.Build);
    }

    [Fact]
    public void NodeTypesAreReadFromTheirFunctions()
    {
        var increment = Flow.TypeOf(Flow.Node("Increment", async (int value = 0) => value + 1));
        Assert.Equal("Increment(int value = 0)", increment.Signature);
        Assert.True(increment.Parameters[0].HasDefault);
        Assert.Equal(0, increment.Parameters[0].DefaultValue);
        Assert.False(increment.Streaming);
        Assert.Equal(typeof(int), increment.ValueType);

        var sumAndDiff = Flow.TypeOf(Flow.Node("SumAndDiff", async (int x, int y) => (sum: x + y, diff: x - y)));
        Assert.Equal(["value", "sum", "diff"], sumAndDiff.Outputs);

        async IAsyncEnumerable<string> Upcase(IAsyncEnumerable<string> words, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var word in words.WithCancellation(cancellationToken))
            {
                yield return word.ToUpperInvariant();
            }
        }
        var upcase = Flow.TypeOf(Flow.Node("Upcase", Upcase));
        Assert.True(upcase.Streaming);
        Assert.Equal(typeof(string), upcase.ValueType);
        var words = Assert.Single(upcase.Parameters);
        Assert.True(words.IsStream);
        Assert.Equal(typeof(string), words.StreamOf);
    }

    [Fact]
    public void CyclesAreBrokenAtTheFirstNodeWithDefaultsAndCyclicPartsRunRepeatedly()
    {
        var cycle = CycleBreaking.Build(_ => { }).Graph;
        Assert.True(cycle.Nodes[0].Inputs[0].Delay);
        Assert.False(cycle.Nodes[1].Inputs[0].Delay);
        Assert.All(cycle.Nodes, n => Assert.True(n.Recurrent));

        var chain = Quickstart.Build(_ => { }).Graph;
        Assert.All(chain.Nodes, n => Assert.False(n.Recurrent));
        Assert.All(chain.Nodes.SelectMany(n => n.Inputs), i => Assert.False(i.Delay));

        var streaming = StreamingChain.BuildCycle(_ => { }).Graph;
        Assert.Equal(["words"], streaming.Nodes.Where(n => n.Inputs.Any(i => i.Delay)).Select(n => n.Name));
        Assert.True(streaming.Nodes.Single(n => n.Name == "upcase").Inputs[0].Stream);

        // Both cycles through Sum are closed at Sum, the first node with defaults for its inputs from the cycle.
        var doubly = DoublyCyclic.Build(_ => { }).Graph;
        Assert.All(doubly.Nodes.Single(n => n.Name == "sum_node").Inputs, i => Assert.True(i.Delay));
    }

    [Fact]
    public void UnnamedNodesAreNamedByTypeAndJoinTheFlow()
    {
        var flow = ZippedStreams.BuildPiecewiseSum(_ => { });
        Assert.Equal(["range_a", "range_b", "total", "AddPiecewise#0"], flow.NodeNames);
    }

    [Fact]
    public void GenerationsOrderAsTheSeedsTuples()
    {
        FlowGeneration[] ordered = [new(2), new(3, 0), new(3, 1), new(3), new(4, 0)];
        Assert.Equal(ordered, ordered.Reverse().Order());
        Assert.Equal("(3,)", new FlowGeneration(3).ToString());
        Assert.Equal("(3, 1)", new FlowGeneration(3, 1).ToString());
        FlowGeneration fromInt = 3;
        Assert.Equal(new FlowGeneration(3), fromInt);
    }
}
