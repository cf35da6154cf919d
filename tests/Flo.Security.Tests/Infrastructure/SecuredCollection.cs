namespace Flo.Security.Tests;

/// <summary>The test classes against <see cref="SecuredCluster"/> share one deployment (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class SecuredCollection : ICollectionFixture<SecuredCluster>
{
    public const string Name = "secured cluster";
}
