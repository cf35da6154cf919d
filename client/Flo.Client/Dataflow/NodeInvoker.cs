using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Flo.Dataflow;

/// <summary>
/// Calls a node type's function without reflection: the call, the awaiting of its task and the enumeration of its
/// stream are compiled once, when the node type is declared.
/// </summary>
internal sealed class NodeInvoker
{
    private readonly Func<object?[], object?> invoke;
    private readonly Func<object?, Task<object?>>? result;
    private readonly Func<object?, CancellationToken, IAsyncEnumerable<object?>>? stream;

    private NodeInvoker(int arity, Func<object?[], object?> invoke, Func<object?, Task<object?>>? result, Func<object?, CancellationToken, IAsyncEnumerable<object?>>? stream, Type valueType)
    {
        Arity = arity;
        this.invoke = invoke;
        this.result = result;
        this.stream = stream;
        ValueType = valueType;
    }

    /// <summary>How many arguments the function takes.</summary>
    public int Arity { get; }

    /// <summary>Whether the function streams (returns an <c>IAsyncEnumerable&lt;T&gt;</c>).</summary>
    public bool Streaming => stream is not null;

    /// <summary>What it produces: the task's result type, or the stream's element type.</summary>
    public Type ValueType { get; }

    /// <summary>Calls the function; returns what it returned (a task, a stream or a value).</summary>
    public object? Invoke(object?[] arguments) => invoke(arguments);

    /// <summary>The value of a function that does not stream.</summary>
    public Task<object?> ResultAsync(object? returned) => result!(returned);

    /// <summary>The parts of a function that streams.</summary>
    public IAsyncEnumerable<object?> Stream(object? returned, CancellationToken cancellationToken) => stream!(returned, cancellationToken);

    /// <summary>Compiles the call of <paramref name="run"/>.</summary>
    public static NodeInvoker For(Delegate run)
    {
        var invokeMethod = run.GetType().GetMethod("Invoke")!;
        var parameters = invokeMethod.GetParameters();
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Invoke(
            Expression.Constant(run),
            parameters.Select((p, i) => Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(i)), p.ParameterType)));
        var returnType = invokeMethod.ReturnType;
        Expression body = returnType == typeof(void)
            ? Expression.Block(call, Expression.Constant(null, typeof(object)))
            : Expression.Convert(call, typeof(object));
        var invoke = Expression.Lambda<Func<object?[], object?>>(body, arguments).Compile();

        if (Generic(returnType, typeof(IAsyncEnumerable<>)) is { } element)
        {
            return new NodeInvoker(parameters.Length, invoke, null, Helper<Func<object?, CancellationToken, IAsyncEnumerable<object?>>>(nameof(BoxStream), element), element);
        }
        if (Generic(returnType, typeof(Task<>)) is { } taskResult)
        {
            return new NodeInvoker(parameters.Length, invoke, Helper<Func<object?, Task<object?>>>(nameof(AwaitTask), taskResult), null, taskResult);
        }
        if (Generic(returnType, typeof(ValueTask<>)) is { } valueTaskResult)
        {
            return new NodeInvoker(parameters.Length, invoke, Helper<Func<object?, Task<object?>>>(nameof(AwaitValueTask), valueTaskResult), null, valueTaskResult);
        }
        if (returnType == typeof(Task))
        {
            return new NodeInvoker(parameters.Length, invoke, AwaitPlainTask, null, typeof(object));
        }
        if (returnType == typeof(ValueTask))
        {
            return new NodeInvoker(parameters.Length, invoke, AwaitPlainValueTask, null, typeof(object));
        }
        return new NodeInvoker(parameters.Length, invoke, Task.FromResult, null, returnType == typeof(void) ? typeof(object) : returnType);
    }

    /// <summary>T when <paramref name="type"/> is <paramref name="definition"/>&lt;T&gt;.</summary>
    internal static Type? Generic(Type type, Type definition)
        => type.IsGenericType && type.GetGenericTypeDefinition() == definition ? type.GetGenericArguments()[0] : null;

    /// <summary>A delegate to one of the generic helpers below, closed over <paramref name="type"/>.</summary>
    internal static TDelegate Helper<TDelegate>(string name, Type type) where TDelegate : Delegate
        => Helper<TDelegate>(typeof(NodeInvoker), name, type);

    /// <summary>A delegate to a generic static helper of <paramref name="owner"/>, closed over <paramref name="type"/>.</summary>
    internal static TDelegate Helper<TDelegate>(Type owner, string name, Type type) where TDelegate : Delegate
        => owner.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type).CreateDelegate<TDelegate>();

    private static async Task<object?> AwaitTask<T>(object? task) => await ((Task<T>)task!).ConfigureAwait(false);

    private static async Task<object?> AwaitValueTask<T>(object? task) => await ((ValueTask<T>)task!).ConfigureAwait(false);

    private static async Task<object?> AwaitPlainTask(object? task)
    {
        await ((Task)task!).ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> AwaitPlainValueTask(object? task)
    {
        await ((ValueTask)task!).ConfigureAwait(false);
        return null;
    }

    private static async IAsyncEnumerable<object?> BoxStream<T>(object? source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in ((IAsyncEnumerable<T>)source!).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
