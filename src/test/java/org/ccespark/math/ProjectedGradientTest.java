package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The exact simplex projection and PGD on eq. 10 (the paper's Table 1 baseline) and eq. 11. */
class ProjectedGradientTest {
  private final SplittableRandom rnd = new SplittableRandom(11);

  @Test
  void projectionIsTheNearestSimplexPoint() {
    for (int t = 0; t < 300; t++) {
      int k = 1 + rnd.nextInt(12);
      double[] v = new double[k];
      for (int c = 0; c < k; c++) {
        v[c] = 3 * MathTesting.gaussian(rnd);
      }
      double[] p = v.clone();
      SimplexProjection.project(p, 0, k, new double[k]);
      assertEquals(1, MathTesting.sum(p, 0, k), 1e-12);
      double best = 0;
      for (int c = 0; c < k; c++) {
        assertTrue(p[c] >= 0);
        best += (p[c] - v[c]) * (p[c] - v[c]);
      }
      for (int q = 0; q < 30; q++) {
        double[] s = MathTesting.randomSimplex(rnd, k, 3);
        double d = 0;
        for (int c = 0; c < k; c++) {
          d += (s[c] - v[c]) * (s[c] - v[c]);
        }
        assertTrue(d >= best - 1e-12);
      }
    }
  }

  @Test
  void projectionKeepsSimplexPointsAndHandlesTies() {
    double[] y = {0.2, 0.3, 0.5};
    SimplexProjection.project(y, 0, 3, new double[3]);
    assertEquals(0.2, y[0], 1e-15);
    double[] t = {5, 5, -1};
    SimplexProjection.project(t, 0, 3, new double[3]);
    assertEquals(0.5, t[0], 1e-15);
    assertEquals(0.5, t[1], 1e-15);
    assertEquals(0, t[2]);
  }

  /**
   * PGD's fixed point is the optimum of eq. 10 (convex in y): per point,
   * ∂(M·L)/∂y_ik = -σ_ik/σ_iᵀy_i + λ(ln(K ȳ_k) + 1) is equal (to γ_i) on the support and larger off it.
   */
  @Test
  void pgdReachesTheOptimumOfEq10() {
    int m = 30;
    int k = 4;
    double lambda = 1;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
    double[] y = sigma.clone();
    ProjectedGradientPseudoLabels.Result r =
        ProjectedGradientPseudoLabels.solve(sigma, y, m, k, lambda, 0.05, 200000, 1e-13);
    assertTrue(r.converged(), r.toString());
    double[] mean = SelfLabelingLoss.meanLabel(y, m, k);
    for (int i = 0; i < m; i++) {
      double dot = 0;
      for (int c = 0; c < k; c++) {
        dot += sigma[i * k + c] * y[i * k + c];
      }
      double gamma = Double.POSITIVE_INFINITY;
      double[] g = new double[k];
      for (int c = 0; c < k; c++) {
        g[c] = -sigma[i * k + c] / dot + lambda * (Math.log(k * mean[c]) + 1);
        if (y[i * k + c] > 1e-12) {
          gamma = Math.min(gamma, g[c]);
        }
      }
      for (int c = 0; c < k; c++) {
        if (y[i * k + c] > 1e-12) {
          assertEquals(gamma, g[c], 1e-8, "equal gradients on the support");
        } else {
          assertTrue(g[c] >= gamma - 1e-8, "larger gradient off the support");
        }
      }
    }
    // and PGD lowered the loss from its start
    assertTrue(SelfLabelingLoss.cce(sigma, y, m, k, lambda) < SelfLabelingLoss.cce(sigma, sigma, m, k, lambda));
  }

  /**
   * PGD on eq. 11 ({@code solvePlus}) lowers {@code L_CCE+} at every step of a small step size and
   * ends at the exact solver's certified optimum.
   */
  @Test
  void pgdOnEq11ReachesTheExactOptimum() {
    int m = 30;
    int k = 4;
    double lambda = 1;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
    double[] exact = new double[m * k];
    ExactPseudoLabels.Result opt = ExactPseudoLabels.solve(sigma, exact, m, k, null, lambda, null,
        ExactPseudoLabels.DEFAULT_MAX_ITER, ExactPseudoLabels.DEFAULT_TOL);
    assertTrue(opt.converged(), opt.toString());
    double[] y = sigma.clone();
    double previous = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
    for (int it = 0; it < 50; it++) {
      ProjectedGradientPseudoLabels.solvePlus(sigma, y, m, k, lambda, 0.05, 1, 0);
      double loss = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
      assertTrue(loss <= previous + 1e-15, it + ": " + loss + " > " + previous);
      previous = loss;
    }
    ProjectedGradientPseudoLabels.Result r =
        ProjectedGradientPseudoLabels.solvePlus(sigma, y, m, k, lambda, 0.05, 200000, 1e-14);
    assertTrue(r.converged(), r.toString());
    assertEquals(opt.primal(), SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda), 1e-10);
  }

  @Test
  void emAndPgdAgreeOnBalancingForLargeLambda() {
    int m = 100;
    int k = 3;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 1);
    double[] yPgd = sigma.clone();
    ProjectedGradientPseudoLabels.solve(sigma, yPgd, m, k, 50, 0.002, 100000, 1e-12);
    double[] yEm = sigma.clone();
    PseudoLabelEm.solve(sigma, yEm, m, k, 50, 5000, 1e-12);
    double[] a = SelfLabelingLoss.meanLabel(yPgd, m, k);
    double[] b = SelfLabelingLoss.meanLabel(yEm, m, k);
    for (int c = 0; c < k; c++) {
      assertEquals(1.0 / 3, a[c], 0.02);
      assertEquals(1.0 / 3, b[c], 0.02);
    }
  }
}
