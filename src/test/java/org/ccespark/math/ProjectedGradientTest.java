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
        v[c] = 3 * StandardNormal.draw(rnd);
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

  /**
   * The gradients PGD steps along are those of {@code M·L_CCE} (eq. 10) and {@code M·L_CCE+}
   * (eq. 11): central finite differences of {@link SelfLabelingLoss} (defined off the simplex too)
   * in every coordinate of interior labels, for several λ and K.
   */
  @Test
  void gradientsMatchFiniteDifferencesOfBothLosses() {
    for (int t = 0; t < 6; t++) {
      int m = 5 + rnd.nextInt(20);
      int k = 2 + rnd.nextInt(6);
      double lambda = new double[] {0.5, 1, 100}[t % 3];
      double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
      double[] y = MathTesting.randomSimplexRows(rnd, m, k, 1);
      double[] plus = new double[m * k];
      double[] cce = new double[m * k];
      ProjectedGradientPseudoLabels.gradientPlus(sigma, y, m, k, lambda, plus);
      ProjectedGradientPseudoLabels.gradient(sigma, y, m, k, lambda, cce);
      for (int j = 0; j < m * k; j++) {
        double h = 1e-6 * y[j];
        double[] up = y.clone();
        double[] down = y.clone();
        up[j] += h;
        down[j] -= h;
        double fdPlus = m * (SelfLabelingLoss.ccePlus(sigma, up, m, k, lambda)
            - SelfLabelingLoss.ccePlus(sigma, down, m, k, lambda)) / (2 * h);
        double fdCce = m * (SelfLabelingLoss.cce(sigma, up, m, k, lambda)
            - SelfLabelingLoss.cce(sigma, down, m, k, lambda)) / (2 * h);
        assertEquals(fdPlus, plus[j], 1e-5 * (1 + Math.abs(fdPlus)), "eq. 11, entry " + j);
        assertEquals(fdCce, cce[j], 1e-5 * (1 + Math.abs(fdCce)), "eq. 10, entry " + j);
      }
    }
  }

  /**
   * One PGD step on eq. 11 with a small step size from interior labels lowers {@code L_CCE+} by
   * what the gradient predicts: the step is {@code −η} times the gradient with its row means
   * removed (the projection onto the simplex's plane), so {@code M·ΔL ≈ −η Σ_i ‖g_i − ḡ_i‖²}.
   */
  @Test
  void aSmallPgdStepOnEq11LowersItsLossAsTheGradientPredicts() {
    for (int t = 0; t < 6; t++) {
      int m = 10 + rnd.nextInt(40);
      int k = 2 + rnd.nextInt(10);
      double lambda = t % 2 == 0 ? 100 : 1;
      double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
      double[] y = MathTesting.randomSimplexRows(rnd, m, k, 1);
      double[] g = new double[m * k];
      ProjectedGradientPseudoLabels.gradientPlus(sigma, y, m, k, lambda, g);
      double squared = 0;
      double largest = 0;
      for (int i = 0; i < m; i++) {
        double mean = 0;
        for (int c = 0; c < k; c++) {
          mean += g[i * k + c] / k;
        }
        for (int c = 0; c < k; c++) {
          double d = g[i * k + c] - mean;
          squared += d * d;
          largest = Math.max(largest, Math.abs(d));
        }
      }
      double smallest = Double.POSITIVE_INFINITY;
      for (double v : y) {
        smallest = Math.min(smallest, v);
      }
      double eta = 1e-3 * smallest / largest; // every entry moves by at most 0.1% of the smallest
      double before = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
      double[] next = y.clone();
      ProjectedGradientPseudoLabels.solvePlus(sigma, next, m, k, lambda, eta, 1, 0);
      double after = SelfLabelingLoss.ccePlus(sigma, next, m, k, lambda);
      double predicted = eta * squared / m;
      assertTrue(after < before, t + ": " + after + " >= " + before);
      assertEquals(predicted, before - after, 0.01 * predicted, "decrease at step " + t);
    }
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
