namespace Flo;

/// <summary>Marker for anything that can be addressed as a grain (grain references and grains).</summary>
public interface IAddressable { }

/// <summary>Base interface of every grain interface.</summary>
public interface IGrain : IAddressable { }

/// <summary>A grain interface whose grains are identified by a string key.</summary>
public interface IGrainWithStringKey : IGrain { }

/// <summary>A grain interface whose grains are identified by a <see cref="Guid"/> key.</summary>
public interface IGrainWithGuidKey : IGrain { }

/// <summary>A grain interface whose grains are identified by a 64-bit integer key.</summary>
public interface IGrainWithIntegerKey : IGrain { }
