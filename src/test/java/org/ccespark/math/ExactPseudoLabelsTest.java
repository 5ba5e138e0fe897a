package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The exact dual solver of eq. 11 against the equation itself: the KKT conditions of the primal,
 * the duality gap, EM run to convergence, and the extreme inputs.
 */
class ExactPseudoLabelsTest {
  private final SplittableRandom rnd = new SplittableRandom(11);

  /**
   * Largest per-point Frank–Wolfe gap of eq. 11 (times M): {@code Σ_k y_ik g_ik − min_k g_ik} with
   * {@code g_ik = M ∂L/∂y_ik = −σ_ik/σ_iᵀy_i − λ u_k/ȳ_k}: zero for every free point exactly at the
   * optimum (the KKT conditions on the simplex), and its mean bounds the loss's distance to it.
   */
  static double kktViolation(double[] sigma, double[] y, int m, int k, double lambda,
      boolean[] fixed) {
    double[] mean = SelfLabelingLoss.meanLabel(y, m, k);
    double worst = 0;
    for (int i = 0; i < m; i++) {
      if (fixed != null && fixed[i]) {
        continue;
      }
      double s = 0;
      for (int c = 0; c < k; c++) {
        s += sigma[i * k + c] * y[i * k + c];
      }
      double min = Double.POSITIVE_INFINITY;
      double dot = 0;
      for (int c = 0; c < k; c++) {
        double g = -sigma[i * k + c] / s - lambda / k / mean[c];
        min = Math.min(min, g);
        dot += y[i * k + c] * g;
      }
      worst = Math.max(worst, dot - min);
    }
    return worst;
  }

  /** 1e-9 relative to λ, or the rounding floor of prices of size λ (see the solver's tol). */
  static double kktTolerance(int k, double lambda) {
    return (1 + lambda) * Math.max(1e-9, 1e-15 * k * (1 + lambda));
  }

  private static void assertOnSimplex(double[] y, int m, int k) {
    for (int i = 0; i < m; i++) {
      double s = 0;
      for (int c = 0; c < k; c++) {
        assertTrue(y[i * k + c] >= 0, "negative label");
        s += y[i * k + c];
      }
      assertEquals(1, s, 1e-12, "row " + i + " sums to 1");
    }
  }

  /**
   * On 18 random blocks of 250 points (K = 2, 10, 20; λ from 1e-6 to 1e6) every solve is
   * certified within 1e-9 (relative) of the optimum by the gap (or within the rounding floor of
   * prices of size λ, 4e-16·K·(1 + λ)), at least 16 of them within 1e-10, with labels on the
   * simplex that meet the KKT conditions of eq. 11 to 1e-9 relative to λ (or that floor). Several
   * of these optima are degenerate (points with three active classes, where Newton's method on
   * the dual stalls).
   */
  @Test
  void moreClassesThanTwiceThePointsIsNeverReportedOptimalWithAnInfiniteLoss() {
    // K = 500 > 2M = 20, above the interior-point work limit: the dual alone, whose labels (one
    // class or two per row) leave classes without mass
    SplittableRandom rnd = new SplittableRandom(500);
    int m = 10;
    int k = 500;
    double[] sigma = new double[m * k];
    double[] z = new double[k];
    for (int i = 0; i < m; i++) {
      for (int c = 0; c < k; c++) {
        z[c] = 3 * StandardNormal.draw(rnd);
      }
      Softmax.softmax(z, 0, sigma, i * k, k);
    }
    double[] y = new double[m * k];
    ExactPseudoLabels.Result r = ExactPseudoLabels.solve(sigma, y, m, k, null, 100, null,
        ExactPseudoLabels.DEFAULT_MAX_ITER, ExactPseudoLabels.DEFAULT_TOL);
    assertTrue(Double.isFinite(r.primal()) || (!r.converged() && r.gap() == Double.POSITIVE_INFINITY),
        r.toString());
  }

  @Test
  void meetsKktAndGapAcrossKAndLambda() {
    int tight = 0;
    for (int k : new int[] {2, 10, 20}) {
      for (double lambda : new double[] {1e-6, 1e-2, 1, 100, 1e4, 1e6}) {
        int m = 250;
        double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 1 + k / 50.0);
        double[] y = new double[m * k];
        ExactPseudoLabels.Result r = ExactPseudoLabels.solve(sigma, y, m, k, null, lambda, null,
            100, 1e-10);
        String at = "K=" + k + " λ=" + lambda + " " + r;
        assertOnSimplex(y, m, k);
        assertEquals(SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda), r.primal(),
            1e-12 * (1 + lambda), at);
        double floor = 4e-16 * k * (1 + lambda);
        assertTrue(r.gap() >= 0, at);
        assertTrue(r.gap() <= Math.max(1e-9 * (1 + r.primal()), floor), at);
        tight += r.gap() <= Math.max(1e-10 * (1 + r.primal()), floor) ? 1 : 0;
        assertTrue(kktViolation(sigma, y, m, k, lambda, null) <= kktTolerance(k, lambda),
            at + " KKT " + kktViolation(sigma, y, m, k, lambda, null));
      }
    }
    assertTrue(tight >= 16, tight + " of 18 within 1e-10");
  }

  /**
   * K = 200 classes for M = 250 points (Table 1's largest K with the bench's σ): the optimum is
   * degenerate, the dual stalls, and the interior-point method alone certifies within 1e-9 only
   * with its proximal term (without it the certificate stopped near 1e-7, at K = 200, λ = 100,
   * and 1e-5 at λ = 1e4).
   */
  @Test
  void twoHundredClassesAreCertifiedWithinTheTolerance() {
    int m = 250;
    int k = 200;
    double[] sigma = org.ccespark.bench.EmVsPgdBenchmark.randomPredictions(m, k, 3, 1 + k);
    for (double lambda : new double[] {1, 100, 1e4}) {
      double[] y = new double[m * k];
      ExactPseudoLabels.Result r = ExactPseudoLabels.solve(sigma, y, m, k, null, lambda, null,
          ExactPseudoLabels.DEFAULT_MAX_ITER, ExactPseudoLabels.DEFAULT_TOL);
      String at = "λ=" + lambda + " " + r;
      assertOnSimplex(y, m, k);
      assertTrue(r.converged(), at);
      assertTrue(r.gap() <= 1e-9 * (1 + r.primal()), at);
      assertEquals(SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda), r.primal(),
          1e-12 * (1 + lambda), at);
    }
  }

  /** The block: EM needs 10^5 iterations to get where the dual solver gets at once. */
  @Test
  void agreesWithEmRunToConvergence() {
    int m = 30;
    int k = 4;
    double lambda = 3;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 1);
    double[] yEm = sigma.clone();
    PseudoLabelEm.solveAccelerated(sigma, yEm, m, k, lambda, 200_000, 1e-15);
    double[] y = new double[m * k];
    ExactPseudoLabels.Result r = ExactPseudoLabels.solve(sigma, y, m, k, null, lambda, null, 100,
        1e-12);
    double em = SelfLabelingLoss.ccePlus(sigma, yEm, m, k, lambda);
    assertTrue(r.primal() <= em + 1e-12, r.primal() + " vs EM " + em);
    assertEquals(em, r.primal(), 1e-8);
    assertArrayEquals(yEm, y, 1e-3);
  }

  @Test
  void dualNeverExceedsPrimalAndNewtonIsMonotone() {
    int m = 100;
    int k = 7;
    double lambda = 50;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
    ExactPseudoLabels.Partial p = new ExactPseudoLabels.Partial(k);
    double[] c = new double[k];
    for (int trial = 0; trial < 20; trial++) {
      for (int j = 0; j < k; j++) {
        c[j] = lambda * Math.exp(StandardNormal.draw(rnd));
      }
      p = new ExactPseudoLabels.Partial(k);
      double[] y = new double[m * k];
      ExactPseudoLabels.evaluate(sigma, 0, m, k, c, null, null, y, p);
      double g = ExactPseudoLabels.gap(p, c, lambda, m);
      double primal = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
      double dual = p.innerSum / m + lambda;
      for (int j = 0; j < k; j++) {
        dual += lambda / k * Math.log(c[j] / lambda);
      }
      assertTrue(g >= 0);
      assertEquals(primal - dual, g, 1e-9 * (1 + Math.abs(primal)), "closed-form gap");
    }
  }

  /** Each point's label minimises −ln σᵀy − cᵀy over the simplex (checked against a fine grid). */
  @Test
  void pointSolutionIsTheInnerMinimum() {
    int k = 3;
    for (int trial = 0; trial < 300; trial++) {
      double[] sigma = MathTesting.randomSimplex(rnd, k, 2);
      double[] c = new double[k];
      for (int j = 0; j < k; j++) {
        c[j] = Math.exp(2 * StandardNormal.draw(rnd));
      }
      double[] y = new double[k];
      ExactPseudoLabels.Partial p = new ExactPseudoLabels.Partial(k);
      ExactPseudoLabels.point(sigma, 0, k, c, y, p);
      double best = Double.POSITIVE_INFINITY;
      int n = 400;
      for (int a = 0; a <= n; a++) {
        for (int b = 0; a + b <= n; b++) {
          double y0 = a / (double) n;
          double y1 = b / (double) n;
          double y2 = 1 - y0 - y1;
          double v = -Math.log(sigma[0] * y0 + sigma[1] * y1 + sigma[2] * y2)
              - (c[0] * y0 + c[1] * y1 + c[2] * y2);
          best = Math.min(best, v);
        }
      }
      assertTrue(p.innerSum <= best + 1e-12, "φ " + p.innerSum + " above grid minimum " + best);
    }
  }

  @Test
  void invariantToPermutingPoints() {
    int m = 120;
    int k = 6;
    double lambda = 100;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 1);
    double[] y = new double[m * k];
    ExactPseudoLabels.Result r = ExactPseudoLabels.solve(sigma, y, m, k, null, lambda, null, 100,
        1e-12);
    int[] perm = Shuffle.permutation(5, 0, 0, m);
    double[] sp = new double[m * k];
    for (int i = 0; i < m; i++) {
      System.arraycopy(sigma, perm[i] * k, sp, i * k, k);
    }
    double[] yp = new double[m * k];
    ExactPseudoLabels.Result rp = ExactPseudoLabels.solve(sp, yp, m, k, null, lambda, null, 100,
        1e-12);
    assertEquals(r.primal(), rp.primal(), 1e-12);
    for (int i = 0; i < m; i++) {
      for (int c = 0; c < k; c++) {
        assertEquals(y[perm[i] * k + c], yp[i * k + c], 1e-6);
      }
    }
  }

  @Test
  void extremeInputs() {
    int m = 60;
    int k = 5;
    // uniform σ: every balanced y is optimal; the solver returns u for each point at once
    double[] uniform = new double[m * k];
    java.util.Arrays.fill(uniform, 1.0 / k);
    double[] y = new double[m * k];
    ExactPseudoLabels.Result r = ExactPseudoLabels.solve(uniform, y, m, k, null, 100, null, 100,
        1e-10);
    assertTrue(r.converged(), r.toString());
    assertEquals(Math.log(k), r.primal(), 1e-12);
    // one-hot σ (each point certain of a class, classes unbalanced) and underflowing σ
    for (double spread : new double[] {0, 800}) {
      double[] sigma = new double[m * k];
      for (int i = 0; i < m; i++) {
        if (spread == 0) {
          sigma[i * k + (i % 3)] = 1; // classes 3, 4 never predicted
        } else {
          double[] z = new double[k];
          for (int c = 0; c < k; c++) {
            z[c] = spread * StandardNormal.draw(rnd);
          }
          Softmax.softmax(z, 0, sigma, i * k, k);
        }
      }
      for (double lambda : new double[] {1e-6, 1, 100, 1e6}) {
        y = new double[m * k];
        r = ExactPseudoLabels.solve(sigma, y, m, k, null, lambda, null, 100, 1e-10);
        String at = "spread " + spread + " λ=" + lambda + " " + r;
        assertTrue(Double.isFinite(r.primal()), at);
        assertOnSimplex(y, m, k);
        assertTrue(r.converged() || spread > 0, at);
      }
    }
    // ties within points: two classes with equal σ
    double[] tied = MathTesting.randomSimplexRows(rnd, m, k, 1);
    for (int i = 0; i < m; i++) {
      tied[i * k + 1] = tied[i * k];
    }
    y = new double[m * k];
    r = ExactPseudoLabels.solve(tied, y, m, k, null, 10, null, 100, 1e-10);
    assertOnSimplex(y, m, k);
    assertTrue(Double.isFinite(r.primal()) && r.gap() < 1e-6, r.toString());
  }

  @Test
  void lambdaZeroTakesTheMostLikelyClass() {
    double[] sigma = {0.2, 0.5, 0.3, 0.4, 0.4, 0.2};
    double[] y = new double[6];
    ExactPseudoLabels.solve(sigma, y, 2, 3, null, 0, null, 100, 1e-10);
    assertArrayEquals(new double[] {0, 1, 0, 0.5, 0.5, 0}, y, 0);
  }

  @Test
  void fixedRowsCountInTheMeanAndStayUnchanged() {
    int m = 80;
    int k = 4;
    double lambda = 100;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
    boolean[] fixed = new boolean[m];
    double[] y = new double[m * k];
    for (int i = 0; i < m; i += 4) {
      fixed[i] = true;
      if (i % 8 == 0) {
        y[i * k] = 1; // seed label: class 0
      } else {
        System.arraycopy(MathTesting.randomSimplex(rnd, k, 1), 0, y, i * k, k); // soft target
      }
    }
    double[] before = y.clone();
    ExactPseudoLabels.Result r = ExactPseudoLabels.solve(sigma, y, m, k, fixed, lambda, null, 100,
        1e-10);
    assertTrue(r.converged(), r.toString());
    for (int i = 0; i < m; i++) {
      if (fixed[i]) {
        for (int c = 0; c < k; c++) {
          assertEquals(before[i * k + c], y[i * k + c], 0);
        }
      }
    }
    assertTrue(kktViolation(sigma, y, m, k, lambda, fixed) <= kktTolerance(k, lambda));
  }

  /**
   * K = 1000 classes over M = 250 points: the dual's labels (one class or two neighbours per
   * point) cannot give every class mass, the optimum is degenerate and the dual not
   * differentiable there; the interior-point method still certifies the optimum (about 10 s).
   */
  @Test
  void aThousandClassesOverFewerPointsAreSolvedAndCertified() {
    int m = 250;
    int k = 1000;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 3);
    double[] y = new double[m * k];
    ExactPseudoLabels.Result r = ExactPseudoLabels.solve(sigma, y, m, k, null, 100, null,
        ExactPseudoLabels.DEFAULT_MAX_ITER, ExactPseudoLabels.DEFAULT_TOL);
    assertOnSimplex(y, m, k);
    assertTrue(r.converged() && r.gap() <= 1e-9 * (1 + r.primal()), r.toString());
    assertEquals(SelfLabelingLoss.ccePlus(sigma, y, m, k, 100), r.primal(), 1e-9, r.toString());
  }
}
