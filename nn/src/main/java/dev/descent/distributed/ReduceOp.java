package dev.descent.distributed;

/** How {@link ProcessGroup#allReduce} combines the members' values, element by element. */
public enum ReduceOp {
    /** The sum over members. */
    SUM,
    /** The sum divided by the number of members: gradients averaged over data-parallel replicas. */
    MEAN,
    /** The largest value. */
    MAX,
    /** The smallest value. */
    MIN
}
