namespace Flo.Runtime.State;

/// <summary>State that the activation loads before <c>OnActivateAsync</c>.</summary>
internal interface IActivationLifecycleState
{
    Task ReadOnActivateAsync(CancellationToken cancellationToken);
}
