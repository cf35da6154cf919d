namespace Flo.Grains;

/// <summary>
/// The name of the grain storage the platform's grains keep their state in: the project's own provider (group
/// commit, records beside a state). Users' grains use the silo's default storage, which may be another provider.
/// </summary>
public static class FloStorage
{
    /// <summary>The storage provider name, <c>flo</c>.</summary>
    public const string Name = "flo";
}
