package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The EM algorithm of section 4 against the bound (13) and the optimality of eq. 11. */
class PseudoLabelEmTest {
  private final SplittableRandom rnd = new SplittableRandom(3);

  @Test
  void emNeverIncreasesTheBoundOrTheLoss() {
    for (int k : new int[] {2, 10, 100}) {
      for (double lambda : new double[] {1e-6, 1, 100, 1e6}) {
        int m = 60;
        double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 3);
        double[] y = sigma.clone();
        double previousLoss = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
        for (int it = 0; it < 15; it++) {
          double[] yPrev = y.clone();
          double tight = SelfLabelingLoss.emBound(sigma, yPrev, yPrev, m, k, lambda);
          // rounding of terms of size λ: relative 1e-14 of λ, plus relative 1e-12 of the loss
          double slack = 1e-14 * (1 + lambda) * m + 1e-12 * Math.abs(tight);
          assertEquals(previousLoss, tight, slack, "E-step makes the bound tight");
          double[] sums = new double[k];
          PseudoLabelEm.addColumnSums(y, m, k, sums);
          PseudoLabelEm.mStep(sigma, y, m, k, lambda, m, sums, new double[3 * k], null);
          double bound = SelfLabelingLoss.emBound(sigma, y, yPrev, m, k, lambda);
          double loss = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
          assertTrue(bound <= tight + slack, "M-step lowers the bound: " + bound + " > " + tight);
          assertTrue(loss <= bound + slack, "the bound is an upper bound: " + loss + " > " + bound);
          previousLoss = loss;
        }
      }
    }
  }

  /**
   * At convergence, EM's fixed point is the optimum of eq. 11 (convex in y): for each point there is
   * γ_i with ∂(M·L)/∂y_ik + γ_i = 0 where y_ik > 0 and ≥ 0 where y_ik = 0, with
   * ∂(M·L)/∂y_ik = -σ_ik/(σ_iᵀy_i) - λ u_k / ȳ_k.
   */
  @Test
  void convergedEmMeetsTheKktConditionsOfEq11() {
    int m = 40;
    int k = 5;
    double lambda = 2;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
    double[] y = sigma.clone();
    PseudoLabelEm.Result r = PseudoLabelEm.solve(sigma, y, m, k, lambda, 5000, 1e-12);
    assertTrue(r.converged(), "EM converged: " + r);
    assertKktOfEq11(sigma, y, m, k, lambda, 1e-7);
  }

  /**
   * The optimality conditions of eq. 11 (convex in y): for each point there is γ_i with
   * ∂(M·L)/∂y_ik + γ_i = 0 where y_ik > 0 and ≥ 0 where y_ik = 0, with
   * ∂(M·L)/∂y_ik = -σ_ik/(σ_iᵀy_i) - λ u_k / ȳ_k.
   */
  static void assertKktOfEq11(double[] sigma, double[] y, int m, int k, double lambda, double tol) {
    double[] mean = SelfLabelingLoss.meanLabel(y, m, k);
    for (int i = 0; i < m; i++) {
      double dot = 0;
      for (int c = 0; c < k; c++) {
        dot += sigma[i * k + c] * y[i * k + c];
      }
      double[] grad = new double[k];
      double gamma = 0;
      for (int c = 0; c < k; c++) {
        grad[c] = -sigma[i * k + c] / dot - lambda / k / mean[c];
        gamma -= y[i * k + c] * grad[c];
      }
      for (int c = 0; c < k; c++) {
        assertEquals(0, y[i * k + c] * (grad[c] + gamma), tol, "complementary slackness");
        assertTrue(grad[c] + gamma > -tol || y[i * k + c] > 1e-9, "dual feasibility");
      }
    }
  }

  @Test
  void reportsIterationsAndStopsAtTolerance() {
    int m = 250;
    int k = 10;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
    double[] y = sigma.clone();
    PseudoLabelEm.Result loose = PseudoLabelEm.solve(sigma, y.clone(), m, k, 1, 100000, 1e-3);
    PseudoLabelEm.Result tight = PseudoLabelEm.solve(sigma, y, m, k, 1, 100000, 1e-9);
    assertTrue(loose.converged() && tight.converged());
    assertTrue(loose.iterations() < tight.iterations(), loose + " vs " + tight);
    assertTrue(tight.maxChange() <= 1e-9);
    PseudoLabelEm.Result capped = PseudoLabelEm.solve(sigma, sigma.clone(), m, k, 100, 2, 1e-12);
    assertEquals(2, capped.iterations());
    assertTrue(!capped.converged());
  }

  @Test
  void staysOnTheSimplexForExtremeInputs() {
    int k = 1000;
    int m = 20;
    double[] sigma = new double[m * k];
    for (int i = 0; i < m; i++) {
      if (i % 4 == 0) {
        sigma[i * k + (i % 3)] = 1; // one-hot, and the same few classes: most clusters empty
      } else if (i % 4 == 1) {
        java.util.Arrays.fill(sigma, i * k, (i + 1) * k, 1.0 / k); // uniform
      } else {
        double[] z = new double[k];
        for (int c = 0; c < k; c++) {
          z[c] = -900.0 * ((c + i) % k); // underflow almost everywhere
        }
        Softmax.softmax(z, 0, sigma, i * k, k);
      }
    }
    for (double lambda : new double[] {0, 1e-6, 100, 1e6}) {
      double[] y = sigma.clone();
      PseudoLabelEm.solve(sigma, y, m, k, lambda, 50, 1e-9);
      for (int i = 0; i < m; i++) {
        assertEquals(1, MathTesting.sum(y, i * k, k), 1e-12);
        for (int c = 0; c < k; c++) {
          assertTrue(y[i * k + c] >= 0 && Double.isFinite(y[i * k + c]));
        }
      }
      assertTrue(Double.isFinite(SelfLabelingLoss.meanCollision(sigma, y, m, k)));
    }
  }

  @Test
  void largeLambdaBalancesClusters() {
    int m = 200;
    int k = 4;
    double[] sigma = new double[m * k];
    for (int i = 0; i < m; i++) { // every point prefers cluster 0
      double[] p = {0.7, 0.1, 0.1, 0.1};
      System.arraycopy(p, 0, sigma, i * k, k);
      sigma[i * k + 1 + i % 3] += 1e-3 * (i % 7);
    }
    for (int i = 0; i < m; i++) {
      double s = MathTesting.sum(sigma, i * k, k);
      for (int c = 0; c < k; c++) {
        sigma[i * k + c] /= s;
      }
    }
    double[] y = sigma.clone();
    PseudoLabelEm.solve(sigma, y, m, k, 1e4, 500, 1e-10);
    double[] mean = SelfLabelingLoss.meanLabel(y, m, k);
    for (double v : mean) {
      assertEquals(0.25, v, 2e-3, "strong fairness makes ȳ uniform");
    }
  }

  @Test
  void acceleratedEmNeverIncreasesTheLossAndReachesTheSameOptimum() {
    for (int k : new int[] {2, 10, 100}) {
      int m = 80;
      double lambda = 100;
      double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
      double previous = SelfLabelingLoss.ccePlus(sigma, sigma, m, k, lambda);
      for (int budget = 3; budget <= 60; budget += 3) {
        double[] y = sigma.clone();
        PseudoLabelEm.solveAccelerated(sigma, y, m, k, lambda, budget, 0);
        double loss = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
        assertTrue(loss <= previous + 1e-12 * Math.abs(previous), "loss increased at budget " + budget);
        previous = loss;
        for (int i = 0; i < m; i++) {
          assertEquals(1, MathTesting.sum(y, i * k, k), 1e-12);
        }
      }
      double[] plain = sigma.clone();
      PseudoLabelEm.solve(sigma, plain, m, k, lambda, 3000, 0);
      double[] fast = sigma.clone();
      PseudoLabelEm.solveAccelerated(sigma, fast, m, k, lambda, 3000, 0);
      assertTrue(SelfLabelingLoss.ccePlus(sigma, fast, m, k, lambda)
          <= SelfLabelingLoss.ccePlus(sigma, plain, m, k, lambda) + 1e-12, "as good as plain EM");
    }
    // and on a small problem it reaches the optimum of eq. 11
    int m = 40;
    int k = 5;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
    double[] y = sigma.clone();
    PseudoLabelEm.Result r = PseudoLabelEm.solveAccelerated(sigma, y, m, k, 20, 100000, 1e-13);
    assertTrue(r.converged(), r.toString());
    assertKktOfEq11(sigma, y, m, k, 20, 1e-7);
  }

  @Test
  void acceleratedEmNeedsFewerMSteps() {
    int m = 125;
    int k = 10;
    double[] sigma = MathTesting.randomSimplexRows(rnd, m, k, 2);
    PseudoLabelEm.Result plain = PseudoLabelEm.solve(sigma, sigma.clone(), m, k, 100, 1000000, 1e-5);
    PseudoLabelEm.Result fast = PseudoLabelEm.solveAccelerated(sigma, sigma.clone(), m, k, 100, 1000000, 1e-5);
    assertTrue(plain.converged() && fast.converged());
    assertTrue(fast.iterations() * 3 < plain.iterations(), plain + " vs " + fast);
  }
}
