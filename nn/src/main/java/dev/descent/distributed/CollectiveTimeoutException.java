package dev.descent.distributed;

import java.util.List;

/**
 * A collective that not every member joined within the group's timeout: the message names the
 * collective, the members that did not arrive and the time waited.
 */
public final class CollectiveTimeoutException extends RuntimeException {
    private final List<Integer> missingRanks;

    public CollectiveTimeoutException(String message, List<Integer> missingRanks) {
        super(message);
        this.missingRanks = List.copyOf(missingRanks);
    }

    /** The ranks that had not joined when the time ran out. */
    public List<Integer> missingRanks() {
        return missingRanks;
    }
}
