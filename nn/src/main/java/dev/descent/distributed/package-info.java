/**
 * Training across replicas, as {@code torch.distributed}: {@link dev.descent.distributed.ProcessGroup}
 * (rank, world size, all-reduce, broadcast, all-gather, barrier, timeouts that name the missing
 * member) and its in-process implementation {@link dev.descent.distributed.InProcessGroup}, for
 * replicas that are threads of one JVM, and {@link dev.descent.distributed.TcpProcessGroup} between
 * processes; {@link dev.descent.distributed.DistributedDataParallel}
 * averages the replicas' gradients in buckets while backward runs, and
 * {@link dev.descent.distributed.SyncBatchNorm} normalizes with the statistics of the whole group's batch;
 * {@link dev.descent.distributed.Pipeline} runs a model's stages on threads of their own over micro-batches.
 */
package dev.descent.distributed;
