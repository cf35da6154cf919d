namespace Flo.Streams;

/// <summary>Options of an append (seed: <c>stream.append(name, payload)</c>, plus a partition key and headers).</summary>
/// <param name="PartitionKey">Records with one key go to one partition, in order; null: round-robin (one partition by default).</param>
/// <param name="Headers">Headers stored with the record.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record AppendOptions(string? PartitionKey = null, Dictionary<string, string>? Headers = null, string? Namespace = null);

/// <summary>Options of a read (seed: <c>StreamReadOptions(start, tail, count, block_ms)</c>).</summary>
/// <param name="Start">Read from this id, inclusive (a trimmed id reads from the oldest kept record); null: from the start.</param>
/// <param name="Tail">Read the newest <paramref name="Count"/> records, or with <paramref name="BlockMs"/> only records appended from now on.</param>
/// <param name="Count">Most records returned (1 to 10,000; default 100).</param>
/// <param name="BlockMs">When there is nothing to return, wait up to this long for an append.</param>
/// <param name="Partition">Read one partition only; null: all of them, merged by id.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record StreamReadOptions(StreamId? Start = null, bool Tail = false, int Count = 100, int BlockMs = 0, int? Partition = null, string? Namespace = null);

/// <summary>Options of a subscription.</summary>
/// <param name="Start">Follow from this id, inclusive; null: only records appended from now on.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record StreamSubscribeOptions(StreamId? Start = null, string? Namespace = null);

/// <summary>Options of calls that only take a namespace.</summary>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record StreamCallOptions(string? Namespace = null);

/// <summary>Options of a group join.</summary>
/// <param name="StartAfter">A new group delivers records after this id in every partition; null: only records appended from now on (Redis <c>$</c>). Use <see cref="StreamId.Min"/> for all.</param>
/// <param name="Settings">Ack timeout, max deliveries, consumer timeout, dead-letter bound; null keeps the group's (defaults for a new group).</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record StreamGroupJoinOptions(StreamId? StartAfter = null, StreamGroupSettings? Settings = null, string? Namespace = null);

/// <summary>Options of a group read (seed: <c>StreamGroupReadOptions(count, block_ms)</c>).</summary>
/// <param name="Count">Most records delivered (1 to 10,000; default 100).</param>
/// <param name="BlockMs">When there is nothing to deliver, wait up to this long.</param>
/// <param name="Namespace">Namespace of this call; null for the client's default.</param>
public sealed record StreamGroupReadOptions(int Count = 100, int BlockMs = 0, string? Namespace = null);
