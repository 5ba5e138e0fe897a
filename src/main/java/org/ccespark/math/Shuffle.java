package org.ccespark.math;

import java.util.SplittableRandom;

/** Seeded shuffles of row indices, the one source of every epoch's batch order. */
public final class Shuffle {
  private Shuffle() {}

  /**
   * A Fisher–Yates shuffle of {@code 0 … rows-1} that depends only on its arguments.
   *
   * @param seed the run's seed
   * @param epoch the epoch
   * @param stream a further index (a partition), 0 when there is one stream
   * @param rows how many indices
   * @return a new permutation
   */
  public static int[] permutation(long seed, int epoch, int stream, int rows) {
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 1_000_003L
        + stream);
    int[] perm = new int[rows];
    for (int i = 0; i < rows; i++) {
      perm[i] = i;
    }
    for (int i = rows - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }
}
