package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ColumnScales}: standard deviations at any scale, merging, constant columns. */
class ColumnScalesTest {

  private static double[][] rows(int n, long seed) {
    Random rnd = new Random(seed);
    double[][] x = new double[n][3];
    for (int i = 0; i < n; i++) {
      x[i][0] = 5 + 2 * rnd.nextGaussian(); // std 2
      x[i][1] = 0.01 * rnd.nextGaussian(); // std 0.01
      x[i][2] = 7; // constant
    }
    return x;
  }

  private static double[] divisors(double[][] x, double factor) {
    ColumnScales c = new ColumnScales(x[0].length);
    for (double[] row : x) {
      double[] scaled = row.clone();
      for (int d = 0; d < scaled.length; d++) {
        scaled[d] *= factor;
      }
      c.add(scaled);
    }
    return c.divisors();
  }

  /**
   * The power of two nearest (in log scale) to the two-pass sample standard deviation of the
   * column times {@code factor} (computed unscaled, then multiplied: the squares of values near
   * 1e-300 would underflow).
   */
  private static double expected(double[][] x, int d, double factor) {
    double mean = 0;
    for (double[] row : x) {
      mean += row[d];
    }
    mean /= x.length;
    double ss = 0;
    for (double[] row : x) {
      ss += (row[d] - mean) * (row[d] - mean);
    }
    double log2 = Math.log(Math.sqrt(ss / (x.length - 1))) / Math.log(2)
        + Math.log(factor) / Math.log(2);
    return Math.scalb(1.0, (int) Math.round(log2));
  }

  @Test
  void divisorsAreTheStandardDeviationsAsPowersOfTwo() {
    double[][] x = rows(500, 1);
    double[] s = divisors(x, 1);
    assertEquals(expected(x, 0, 1), s[0]);
    assertEquals(expected(x, 1, 1), s[1]);
    assertEquals(0.0, s[2], "a constant column has no divisor");
  }

  @Test
  void anyScaleGivesTheScaledDivisors() {
    double[][] x = rows(500, 2);
    double[] s = divisors(x, 1);
    double[] tiny = divisors(x, Math.scalb(1.0, -1000));
    double[] huge = divisors(x, Math.scalb(1.0, 900));
    for (int d = 0; d < 2; d++) {
      assertEquals(Math.scalb(s[d], -1000), tiny[d], "column " + d);
      assertEquals(Math.scalb(s[d], 900), huge[d], "column " + d);
    }
    double[] e300 = divisors(x, 1e-300);
    double[] e19 = divisors(x, 1e19);
    for (int d = 0; d < 2; d++) {
      assertEquals(expected(x, d, 1e-300), e300[d], "column " + d + " x 1e-300");
      assertEquals(expected(x, d, 1e19), e19[d], "column " + d + " x 1e19");
    }
  }

  @Test
  void mergedPartsEqualOnePass() {
    double[][] x = rows(301, 3);
    ColumnScales all = new ColumnScales(3);
    ColumnScales a = new ColumnScales(3);
    ColumnScales b = new ColumnScales(3);
    ColumnScales empty = new ColumnScales(3);
    for (int i = 0; i < x.length; i++) {
      double[] row = x[i].clone();
      row[0] *= i < 100 ? 1e-3 : 1e3; // parts at different scales
      all.add(row);
      (i < 100 ? a : b).add(row);
    }
    a.merge(empty);
    a.merge(ColumnScales.fromState(b.state()));
    assertEquals(all.rows(), a.rows());
    assertArrayEquals(all.divisors(), a.divisors(), 0);
    double[] sa = all.state();
    double[] sm = a.state();
    for (int i = 0; i < sa.length; i++) {
      assertEquals(sa[i], sm[i], 1e-12 * Math.max(1, Math.abs(sa[i])), "state " + i);
    }
  }
}
