package org.ccespark.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HungarianMatchingTest {

  /**
   * The six assignments of this matrix, written as (column of row 0, row 1, row 2), cost:
   * (0,1,2) 4+1+2=7, (0,2,1) 4+5+2=11, (1,0,2) 1+2+2=5, (1,2,0) 1+5+3=9, (2,0,1) 3+2+2=7,
   * (2,1,0) 3+1+3=7. The unique minimum is (1,0,2) = 5, the unique maximum (0,2,1) = 11. A greedy
   * choice of row minima would give rows 0 and 1 the same column 1.
   */
  private static final double[][] HAND = {
      {4, 1, 3},
      {2, 1, 5},
      {3, 2, 2},
  };

  @Test
  void smallHandExample() {
    int[] a = HungarianMatching.minimumCostAssignment(HAND);
    assertArrayEquals(new int[] {1, 0, 2}, a);
    assertEquals(5.0, HungarianMatching.total(HAND, a));
  }

  @Test
  void maximumWeightOnHandExample() {
    int[] a = HungarianMatching.maximumWeightAssignment(HAND);
    assertArrayEquals(new int[] {0, 2, 1}, a);
    assertEquals(11.0, HungarianMatching.total(HAND, a));
  }

  @Test
  void emptyAndTrivialMatrices() {
    assertArrayEquals(new int[0], HungarianMatching.minimumCostAssignment(new double[0][0]));
    assertArrayEquals(new int[] {-1, -1}, HungarianMatching.minimumCostAssignment(new double[2][0]));
    assertArrayEquals(new int[] {0}, HungarianMatching.minimumCostAssignment(new double[][] {{-7.5}}));
    assertArrayEquals(new int[] {2}, HungarianMatching.minimumCostAssignment(new double[][] {{3, 2, 1}}));
    assertArrayEquals(new int[] {-1, -1, 0},
        HungarianMatching.minimumCostAssignment(new double[][] {{3}, {2}, {1}}));
  }

  @Test
  void rejectsRaggedAndNonFiniteMatrices() {
    assertThrows(IllegalArgumentException.class,
        () -> HungarianMatching.minimumCostAssignment(new double[][] {{1, 2}, {3}}));
    assertThrows(IllegalArgumentException.class,
        () -> HungarianMatching.minimumCostAssignment(new double[][] {{1, Double.NaN}, {3, 4}}));
    assertThrows(IllegalArgumentException.class,
        () -> HungarianMatching.minimumCostAssignment(new double[][] {{1, Double.POSITIVE_INFINITY}}));
  }

  @Test
  void tiesAndNegativeCosts() {
    double[][] allEqual = new double[5][5];
    int[] a = HungarianMatching.minimumCostAssignment(allEqual);
    assertPermutation(a, 5);
    double[][] negative = {{-1, -10}, {-10, -1}};
    assertArrayEquals(new int[] {1, 0}, HungarianMatching.minimumCostAssignment(negative));
  }

  @Test
  void matchesBruteForceOnRandomSquareMatrices() {
    SplittableRandom rnd = new SplittableRandom(42);
    for (int trial = 0; trial < 300; trial++) {
      // Half the trials use small integers so that ties between optimal assignments are common.
      double[][] cost = randomMatrix(rnd, 6, 6, trial % 2 == 0);
      int[] a = HungarianMatching.minimumCostAssignment(cost);
      assertPermutation(a, 6);
      assertEquals(bruteForce(cost, false), HungarianMatching.total(cost, a), 1e-9, "trial " + trial);

      int[] b = HungarianMatching.maximumWeightAssignment(cost);
      assertPermutation(b, 6);
      assertEquals(bruteForce(cost, true), HungarianMatching.total(cost, b), 1e-9, "trial " + trial);
    }
  }

  @Test
  void matchesBruteForceOnRandomRectangularMatrices() {
    SplittableRandom rnd = new SplittableRandom(7);
    int[][] shapes = {{4, 6}, {6, 4}, {1, 5}, {5, 1}, {3, 7}, {7, 3}};
    for (int trial = 0; trial < 300; trial++) {
      int[] shape = shapes[trial % shapes.length];
      double[][] cost = randomMatrix(rnd, shape[0], shape[1], trial % 4 < 2);
      int[] a = HungarianMatching.minimumCostAssignment(cost);
      assertInjective(a, shape[1], Math.min(shape[0], shape[1]));
      assertEquals(bruteForce(cost, false), HungarianMatching.total(cost, a), 1e-9, "trial " + trial);

      int[] b = HungarianMatching.maximumWeightAssignment(cost);
      assertInjective(b, shape[1], Math.min(shape[0], shape[1]));
      assertEquals(bruteForce(cost, true), HungarianMatching.total(cost, b), 1e-9, "trial " + trial);
    }
  }

  @Test
  void findsHiddenZeroPermutationIn1000x1000() {
    // Costs are in [1, 2) except for n zeros at (i, hidden[i]) of a random permutation: the hidden
    // permutation costs 0 and every other assignment uses a positive cell, so it is the unique optimum.
    int n = 1000;
    SplittableRandom rnd = new SplittableRandom(2024);
    int[] hidden = randomPermutation(rnd, n);
    double[][] cost = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        cost[i][j] = 1 + rnd.nextDouble();
      }
      cost[i][hidden[i]] = 0;
    }
    int[] a = HungarianMatching.minimumCostAssignment(cost);
    assertPermutation(a, n);
    assertArrayEquals(hidden, a);
    assertEquals(0.0, HungarianMatching.total(cost, a));
  }

  @Test
  void solvesRandomUniform1000x1000Quickly() {
    // For i.i.d. U(0, 1) costs the optimal total tends to ζ(2) = π²/6 ≈ 1.645 as n → ∞ (Aldous 2001);
    // at n = 1000 it is within a few percent of that (the identity assignment costs about n/2). For
    // this seed the optimum 1.7106841668922… was confirmed with SciPy's linear_sum_assignment.
    int n = 1000;
    SplittableRandom rnd = new SplittableRandom(99);
    double[][] cost = randomMatrix(rnd, n, n, false);
    HungarianMatching.minimumCostAssignment(cost); // warm-up, so the timing below excludes JIT compilation
    // The best of three runs, so that a busy machine does not fail the test by itself.
    int[] a = null;
    double seconds = Double.POSITIVE_INFINITY;
    for (int run = 0; run < 3; run++) {
      long start = System.nanoTime();
      a = HungarianMatching.minimumCostAssignment(cost);
      seconds = Math.min(seconds, (System.nanoTime() - start) / 1e9);
    }
    assertPermutation(a, n);
    double total = HungarianMatching.total(cost, a);
    assertEquals(1.710684166892223, total, 1e-9);
    assertTrue(seconds < 1.0, "1000x1000 took " + seconds + " s");
    System.out.printf("Hungarian 1000x1000 uniform: %.3f s, optimum %.4f%n", seconds, total);
  }

  private static double[][] randomMatrix(SplittableRandom rnd, int rows, int cols, boolean smallInts) {
    double[][] m = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = smallInts ? rnd.nextInt(-3, 5) : rnd.nextDouble();
      }
    }
    return m;
  }

  private static int[] randomPermutation(SplittableRandom rnd, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int k = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[k];
      p[k] = t;
    }
    return p;
  }

  /** The best total over all injective maps of the smaller dimension into the larger one. */
  private static double bruteForce(double[][] cost, boolean maximise) {
    int rows = cost.length;
    int cols = cost[0].length;
    boolean transpose = rows > cols;
    int small = Math.min(rows, cols);
    int large = Math.max(rows, cols);
    double[][] m = new double[small][large];
    for (int i = 0; i < small; i++) {
      for (int j = 0; j < large; j++) {
        m[i][j] = transpose ? cost[j][i] : cost[i][j];
      }
    }
    return search(m, 0, new boolean[large], 0.0, maximise);
  }

  private static double search(double[][] m, int row, boolean[] used, double sofar, boolean maximise) {
    if (row == m.length) {
      return sofar;
    }
    double best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    for (int j = 0; j < used.length; j++) {
      if (!used[j]) {
        used[j] = true;
        double v = search(m, row + 1, used, sofar + m[row][j], maximise);
        used[j] = false;
        best = maximise ? Math.max(best, v) : Math.min(best, v);
      }
    }
    return best;
  }

  private static void assertPermutation(int[] a, int n) {
    assertInjective(a, n, n);
  }

  /** Every entry is -1 or a column below cols, no column twice, exactly {@code assigned} assigned. */
  private static void assertInjective(int[] a, int cols, int assigned) {
    boolean[] seen = new boolean[cols];
    int count = 0;
    for (int j : a) {
      if (j == -1) {
        continue;
      }
      assertTrue(j >= 0 && j < cols, "column " + j);
      assertTrue(!seen[j], "column " + j + " assigned twice");
      seen[j] = true;
      count++;
    }
    assertEquals(assigned, count);
  }
}
