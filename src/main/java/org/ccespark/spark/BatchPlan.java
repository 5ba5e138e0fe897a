package org.ccespark.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ccespark.math.Shuffle;

/**
 * Which rows of a partition belong to which global mini-batch. An epoch has
 * {@code nb = ceil(N / batchSize)} batches; partition {@code p} with {@code n_p} rows shuffles its
 * rows once per epoch (seeded by the fit's seed, the epoch and {@code p}) and gives batch {@code b}
 * the positions {@code [⌊b·n_p/nb⌋, ⌊(b+1)·n_p/nb⌋)} of that shuffle. Every row is used once per
 * epoch, every batch takes each partition's proportional share, and the plan depends only on the
 * seed and the partitioning, never on timing.
 */
final class BatchPlan {
  private static final int CACHE_SIZE = 64;
  private static final Map<String, int[]> PERMUTATIONS = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  private BatchPlan() {}

  static int numBatches(long numRows, int batchSize) {
    return (int) Math.max(1, (numRows + batchSize - 1) / batchSize);
  }

  static int shareStart(int partitionRows, int batch, int numBatches) {
    return (int) ((long) batch * partitionRows / numBatches);
  }

  /**
   * The epoch's shuffle of a partition's rows, computed once per executor JVM and then reused by
   * every batch of the epoch (recomputed identically if evicted).
   */
  static int[] permutation(long seed, int epoch, int partition, int rows) {
    String key = seed + "/" + epoch + "/" + partition + "/" + rows;
    synchronized (PERMUTATIONS) {
      int[] cached = PERMUTATIONS.get(key);
      if (cached != null) {
        return cached;
      }
    }
    int[] perm = Shuffle.permutation(seed, epoch, partition, rows);
    synchronized (PERMUTATIONS) {
      PERMUTATIONS.put(key, perm);
    }
    return perm;
  }
}
