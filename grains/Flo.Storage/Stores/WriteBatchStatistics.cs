namespace Flo.Storage;

/// <summary>How a <see cref="FloGrainStorage"/> grouped writes into transactions (for metrics and tests); all zero for memory.</summary>
/// <param name="Batches">Transactions executed (committed or failed).</param>
/// <param name="Writes">Writes and clears executed in them.</param>
/// <param name="LargestBatch">The most writes seen in one transaction.</param>
/// <param name="FailedBatches">Transactions that failed with a database error.</param>
public readonly record struct WriteBatchStatistics(long Batches, long Writes, int LargestBatch, long FailedBatches);
