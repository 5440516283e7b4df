package dev.descent.examples;

import dev.descent.distributed.ProcessGroup;
import dev.descent.distributed.TcpProcessGroup;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Runs one piece of work on N replicas as one long-lived Spark barrier stage: N tasks started
 * together (one per partition, rank = partition id), joined into a {@link TcpProcessGroup}, each
 * returning one result. The results are gathered through a shuffle, which makes the barrier stage
 * a shuffle-map stage: Spark re-runs a failed barrier stage of that kind as a whole (up to
 * {@code spark.stage.maxConsecutiveAttempts}), where a failed barrier result stage would abort
 * the job. The work sees the attempt number, so that it can resume from what an earlier attempt
 * saved.
 */
final class SparkReplicaJob {
    private SparkReplicaJob() {
    }

    /** What one replica's task knows about itself: rank, world size, which attempt of the stage, and the group. */
    record Replica(int rank, int worldSize, int stageAttempt, ProcessGroup group, BarrierTaskContext context) {
    }

    /** The work of every replica, shipped to the executors: serializable, as the objects it captures must be. */
    @FunctionalInterface
    interface Work<R extends Serializable> extends Serializable {
        R run(Replica replica) throws Exception;
    }

    /** A replica's result and its rank, which orders the results. */
    private record Ranked<R extends Serializable>(int rank, R result) implements Serializable {
    }

    /**
     * Runs {@code work} on {@code replicas} barrier tasks and returns their results by rank. A
     * collective (and the rendezvous) that waits longer than {@code timeout} fails the task.
     */
    static <R extends Serializable> List<R> run(JavaSparkContext spark, int replicas, Duration timeout, Work<R> work) {
        if (replicas < 1) {
            throw new IllegalArgumentException("SparkReplicaJob.run: replicas must be >= 1, got " + replicas);
        }
        JavaRDD<Integer> ranks = spark.parallelize(IntStream.range(0, replicas).boxed().toList(), replicas);
        @SuppressWarnings("unchecked")
        ClassTag<Ranked<R>> tag = (ClassTag<Ranked<R>>) (ClassTag<?>) ClassTag$.MODULE$.apply(Ranked.class);
        RDD<Ranked<R>> trained = ranks.rdd().barrier().mapPartitions(new Task<>(work, timeout), false, tag);
        // the shuffle ends the barrier stage, so that a failure re-runs it rather than aborting the job
        List<Ranked<R>> gathered = new ArrayList<>(JavaRDD.fromRDD(trained, tag).repartition(1).collect());
        gathered.sort(Comparator.comparingInt(Ranked::rank));
        if (gathered.size() != replicas) {
            throw new IllegalStateException("SparkReplicaJob.run: " + replicas + " replicas returned " + gathered.size() + " results");
        }
        return gathered.stream().map(Ranked::result).toList();
    }

    /** One barrier task: rendezvous, the work, and the group closed whatever happens (so the others' reads fail at once). */
    private static final class Task<R extends Serializable> extends AbstractFunction1<Iterator<Integer>, Iterator<Ranked<R>>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Work<R> work;
        private final Duration timeout;

        Task(Work<R> work, Duration timeout) {
            this.work = work;
            this.timeout = timeout;
        }

        @Override
        public Iterator<Ranked<R>> apply(Iterator<Integer> partition) {
            BarrierTaskContext context = BarrierTaskContext.get();
            try (TcpProcessGroup group = SparkRendezvous.join(context, timeout)) {
                Replica replica = new Replica(context.partitionId(), context.getTaskInfos().length, context.stageAttemptNumber(), group, context);
                R result = work.run(replica);
                return CollectionConverters.asScala(List.of(new Ranked<>(replica.rank(), result)).iterator());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("spark replica " + context.partitionId() + ": " + e.getMessage(), e);
            }
        }
    }
}
