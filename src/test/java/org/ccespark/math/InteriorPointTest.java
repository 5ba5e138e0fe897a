package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The interior-point method for eq. 11 against its equations: one point's KKT inverse against a
 * dense inverse, its certificate against the true distance to the optimum, the KKT conditions at
 * degenerate optima (where the dual iteration stalls), and fixed rows.
 */
class InteriorPointTest {
  private final SplittableRandom rnd = new SplittableRandom(23);

  private static double[] uniform(int k) {
    double[] u = new double[k];
    Arrays.fill(u, 1.0 / k);
    return u;
  }

  /**
   * A point near the end of the iteration (three classes kept, three left with y ≈ 1e-9, so the
   * textbook Sherman–Morrison form would subtract terms of size 1e9): its {@code B_i} and its
   * solve match the dense inverse of {@code [[diag(z/y + ρ) + hhᵀ, 1], [1ᵀ, 0]]} (ρ the proximal
   * weight).
   */
  @Test
  void pointSystemMatchesTheDenseKktInverse() {
    int k = 6;
    double[] sigma = MathTesting.randomSimplexRows(rnd, 1, k, 1);
    for (double small : new double[] {1e-2, 1e-5, 1e-9}) {
      InteriorPoint.Run run = new InteriorPoint.Run(sigma, new double[k], 1, k, null, 1.0,
          uniform(k));
      double[] y = {0.5, 0.3, 0.2 - 3 * small, small, small, small};
      double[] z = {small, 2 * small, small, 0.5, 0.7, 0.3};
      System.arraycopy(y, 0, run.y, 0, k);
      System.arraycopy(z, 0, run.z, 0, k);
      run.refresh();
      run.cache();
      int kept = run.factorPoint(0);
      Arrays.fill(run.s, 0);
      run.addPoint(0, kept);
      int n = k + 1;
      double t = 0;
      for (int j = 0; j < k; j++) {
        t += sigma[j] * y[j];
      }
      double[] kkt = new double[n * n];
      for (int j = 0; j < k; j++) {
        for (int l = 0; l < k; l++) {
          kkt[j * n + l] = sigma[j] / t * sigma[l] / t + (j == l ? z[j] / y[j] + run.rho : 0);
        }
        kkt[j * n + k] = 1;
        kkt[k * n + j] = 1;
      }
      double[] inverse = new double[n * n];
      InteriorPoint.invert(kkt, inverse, n);
      double scale = 0;
      for (double v : inverse) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int j = 0; j < k; j++) {
        for (int l = 0; l <= j; l++) {
          assertEquals(inverse[j * n + l], run.s[j * k + l], 1e-6 * scale,
              "B[" + j + "," + l + "] at y ≈ " + small);
        }
      }
      double[] x = new double[k];
      for (int j = 0; j < k; j++) {
        x[j] = rnd.nextDouble() - 0.5;
      }
      double r = 0.01;
      double[] out = new double[k];
      double dnu = run.solvePoint(0, run.factorPoint(0), x, r, out);
      double sum = 0;
      double size = 0;
      for (int j = 0; j <= k; j++) {
        double expect = inverse[j * n + k] * r;
        for (int l = 0; l < k; l++) {
          expect += inverse[j * n + l] * x[l];
        }
        assertEquals(expect, j < k ? out[j] : dnu, 1e-6 * scale * (1 + Math.abs(r)),
            "solve component " + j);
        sum += j < k ? out[j] : 0;
        size += j < k ? Math.abs(out[j]) : 0;
      }
      assertEquals(r, sum, 1e-15 * k * size, "1ᵀΔ = r (to the rounding of Δ's entries)");
    }
  }

  /**
   * Where the dual iteration converges, the interior-point method reaches the same optimum, and
   * its certificate is never below the true distance.
   */
  @Test
  void agreesWithTheConvergedDualAndItsBoundHolds() {
    int m = 250;
    for (int k : new int[] {2, 10, 20}) {
      double lambda = 100;
      double[] sigma = MathTesting.randomSimplexRows(new SplittableRandom(11 + k), m, k,
          1 + k / 50.0);
      double[] exact = new double[m * k];
      ExactPseudoLabels.Result dual = ExactPseudoLabels.solve(sigma, exact, m, k, null, lambda,
          null, 100, 1e-13);
      assertTrue(dual.gap() <= 1e-10, "reference at K=" + k + ": gap " + dual.gap());
      double[] y = new double[m * k];
      InteriorPoint.Outcome ip = InteriorPoint.solve(sigma, y, m, k, null, lambda, uniform(k), 80,
          1e-13);
      double excess = ip.primal() - dual.primal();
      assertEquals(SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda), ip.primal(), 1e-12);
      // the reference is within its gap of the optimum, which no labels can be below
      assertTrue(excess >= -dual.gap() - 1e-12, "below the optimum at K=" + k + ": " + excess);
      assertTrue(excess <= ip.bound() + 1e-12, "bound " + ip.bound() + " < excess " + excess);
      assertTrue(ip.bound() <= 1e-10, "K=" + k + " bound " + ip.bound());
      assertTrue(ip.passes() <= 60, "K=" + k + " passes " + ip.passes());
    }
  }

  /**
   * Large λ with K = 10 and 20: the dual iteration stalls (three classes meet at points of the
   * optimum), the interior-point labels meet the KKT conditions of eq. 11 and are certified.
   */
  @Test
  void solvesDegenerateOptimaWhereTheDualStalls() {
    int m = 250;
    for (int k : new int[] {10, 20}) {
      for (double lambda : new double[] {1e4, 1e6}) {
        double[] sigma = MathTesting.randomSimplexRows(new SplittableRandom(11 + k), m, k,
            1 + k / 50.0);
        double[] y = new double[m * k];
        InteriorPoint.Outcome ip = InteriorPoint.solve(sigma, y, m, k, null, lambda, uniform(k),
            80, 1e-13);
        String at = "K=" + k + " λ=" + lambda + " " + ip;
        assertTrue(ip.bound() <= 1e-9 * (1 + ip.primal()), at);
        assertTrue(ExactPseudoLabelsTest.kktViolation(sigma, y, m, k, lambda, null)
            <= ExactPseudoLabelsTest.kktTolerance(k, lambda), at);
      }
    }
  }

  /** Fixed rows keep their labels and enter ȳ; the free rows meet the KKT conditions. */
  @Test
  void fixedRowsStayAndTheRestIsOptimal() {
    int m = 120;
    int k = 5;
    double lambda = 50;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 1);
    double[] y = new double[m * k];
    boolean[] fixed = new boolean[m];
    for (int i = 0; i < m; i += 4) {
      fixed[i] = true;
      y[i * k + (i / 4) % 2] = 1; // fixed rows only in classes 0 and 1
    }
    double[] before = y.clone();
    InteriorPoint.Outcome ip = InteriorPoint.solve(sigma, y, m, k, fixed, lambda, uniform(k), 80,
        1e-13);
    for (int i = 0; i < m; i += 4) {
      for (int c = 0; c < k; c++) {
        assertEquals(before[i * k + c], y[i * k + c], "fixed row " + i);
      }
    }
    assertTrue(ip.bound() <= 1e-10, ip.toString());
    assertTrue(ExactPseudoLabelsTest.kktViolation(sigma, y, m, k, lambda, fixed)
        <= ExactPseudoLabelsTest.kktTolerance(k, lambda));
    double[] dual = new double[m * k];
    System.arraycopy(before, 0, dual, 0, dual.length);
    ExactPseudoLabels.Result r = ExactPseudoLabels.solve(sigma, dual, m, k, fixed, lambda, null,
        100, 1e-10);
    assertEquals(r.primal(), ip.primal(), 1e-9);
  }
}
