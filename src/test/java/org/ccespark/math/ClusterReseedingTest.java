package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClusterReseedingTest {
  private static final int DIM = 7;
  private static final int K = 4;

  private static double[] randomParams(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] p = new double[DIM * K + K];
    for (int i = 0; i < p.length; i++) {
      p[i] = rnd.nextDouble() - 0.5;
    }
    return p;
  }

  private static double[] column(double[] params, int c) {
    double[] w = new double[DIM];
    for (int d = 0; d < DIM; d++) {
      w[d] = params[d * K + c];
    }
    return w;
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  /** A dead cluster becomes one half of a split of the largest: w_c + w_b keeps 2·w_b. */
  @Test
  void aDeadClusterSplitsTheLargestAlongADirectionOfTheGivenSize() {
    double[] params = randomParams(1);
    double[] before = params.clone();
    double[] rows = {300, 5, 120, 100}; // mean 131.25: cluster 1 is below 10% of it
    List<ClusterReseeding.Reseed> done = ClusterReseeding.reseed(params, DIM, K, rows, 3, 2);
    assertEquals(List.of(new ClusterReseeding.Reseed(1, 5, 0, 300)), done);
    double[] wb = column(before, 0);
    double[] newB = column(params, 0);
    double[] newC = column(params, 1);
    double[] half = new double[DIM];
    for (int d = 0; d < DIM; d++) {
      assertEquals(2 * wb[d], newB[d] + newC[d], 1e-12);
      half[d] = (newC[d] - newB[d]) / 2;
    }
    assertEquals(ClusterReseeding.SPLIT * norm(wb), norm(half), 1e-12);
    assertEquals(before[DIM * K], params[DIM * K + 1], 0, "bias copied from the split cluster");
    for (int c : new int[] {2, 3}) {
      assertArrayEquals(column(before, c), column(params, c), 0);
      assertEquals(before[DIM * K + c], params[DIM * K + c], 0);
    }
    assertArrayEquals(rows, new double[] {300, 5, 120, 100}, 0);
  }

  /** Clusters at or above the threshold are left alone. */
  @Test
  void livingClustersAreNotTouched() {
    double[] params = randomParams(2);
    double[] before = params.clone();
    double[] rows = {400, 13.2, 60, 52.8}; // mean 131.5: 13.2 is above 10% of it
    assertTrue(ClusterReseeding.reseed(params, DIM, K, rows, 1, 0).isEmpty());
    assertArrayEquals(before, params, 0);
  }

  /** Two dead clusters split two different large ones (the first's count is halved). */
  @Test
  void twoDeadClustersSplitDifferentClusters() {
    double[] params = randomParams(3);
    double[] rows = {500, 0, 400, 0};
    List<ClusterReseeding.Reseed> done = ClusterReseeding.reseed(params, DIM, K, rows, 1, 0);
    assertEquals(2, done.size());
    assertEquals(0, done.get(0).from());
    assertEquals(2, done.get(1).from());
  }

  /** The split depends on the seed and the epoch only, so a resumed fit repeats it. */
  @Test
  void theSplitDependsOnSeedAndEpochOnly() {
    double[] rows = {300, 0, 120, 100};
    double[] a = randomParams(4);
    double[] b = a.clone();
    double[] c = a.clone();
    ClusterReseeding.reseed(a, DIM, K, rows, 5, 1);
    ClusterReseeding.reseed(b, DIM, K, rows, 5, 1);
    ClusterReseeding.reseed(c, DIM, K, rows, 5, 2);
    assertArrayEquals(a, b, 0);
    assertNotEquals(column(a, 1)[0], column(c, 1)[0]);
  }
}
