package dev.descent.data;

import dev.descent.core.Generator;
import java.util.ArrayList;
import java.util.List;

/** Helpers over datasets. */
public final class Datasets {
    private Datasets() {
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates, drawing from {@code generator}). */
    public static int[] permutation(int n, Generator generator) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = generator.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * Splits {@code dataset} into random disjoint subsets of the given sizes, which must add up to
     * its size: e.g. {@code randomSplit(train, new int[] {55_000, 5_000}, g)} for a validation set.
     */
    public static List<Subset> randomSplit(Dataset dataset, int[] lengths, Generator generator) {
        long total = 0;
        for (int length : lengths) {
            if (length < 0) {
                throw new IllegalArgumentException("randomSplit: lengths must be non-negative, got " + java.util.Arrays.toString(lengths));
            }
            total += length;
        }
        if (total != dataset.size()) {
            throw new IllegalArgumentException("randomSplit: lengths " + java.util.Arrays.toString(lengths) + " add up to " + total
                    + " but the dataset has " + dataset.size() + " samples");
        }
        int[] order = permutation(dataset.size(), generator);
        List<Subset> parts = new ArrayList<>();
        int start = 0;
        for (int length : lengths) {
            parts.add(new Subset(dataset, java.util.Arrays.copyOfRange(order, start, start + length)));
            start += length;
        }
        return parts;
    }
}
