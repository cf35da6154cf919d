using Flo.Streams;

namespace Flo.Management;

/// <summary>A stream's name, length and consumer groups with their lag.</summary>
/// <param name="Name">The stream.</param>
/// <param name="Info">Its length, ids and bytes, summed over partitions.</param>
/// <param name="Groups">Its consumer groups.</param>
public sealed record StreamOverview(string Name, StreamInfo Info, IReadOnlyList<StreamGroupOverview> Groups);

/// <summary>A consumer group's progress.</summary>
/// <param name="Name">The group.</param>
/// <param name="Consumers">Consumers joined.</param>
/// <param name="Pending">Delivered, unacked records.</param>
/// <param name="Lag">Records not yet delivered to the group.</param>
/// <param name="DlqSize">Dead letters.</param>
public sealed record StreamGroupOverview(string Name, int Consumers, long Pending, long Lag, long DlqSize);
