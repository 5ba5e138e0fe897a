package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The M-step (eq. 15) against its optimality conditions. With {@code x = σᵀy} and {@code g = 1 + Σ w},
 * KKT for {@code min -ln σᵀy - Σ w_k ln y_k} on the simplex reads: {@code g - σ_k/x - w_k/y_k = 0}
 * where {@code y_k > 0}, and {@code g - σ_k/x ≥ 0} (with {@code w_k = 0}) where {@code y_k = 0}.
 * Residuals are checked relative to {@code g}, the size of the multiplier.
 */
class NewtonMStepTest {
  private static final double KKT_TOL = 1e-9;
  private final SplittableRandom rnd = new SplittableRandom(42);

  static double objective(double[] sigma, double[] w, double[] y) {
    double dot = 0;
    double fair = 0;
    for (int c = 0; c < y.length; c++) {
      dot += sigma[c] * y[c];
      if (w[c] > 0) {
        fair -= w[c] * Math.log(y[c]);
      }
    }
    return -Math.log(dot) + fair;
  }

  /** Asserts that y is on the simplex and satisfies the KKT conditions of eq. 15. */
  static void assertKkt(double[] sigma, double[] w, double[] y) {
    int k = y.length;
    double wSum = 0;
    double x = 0;
    for (int c = 0; c < k; c++) {
      assertTrue(Double.isFinite(y[c]) && y[c] >= 0,
          () -> "y on the simplex: " + Arrays.toString(y));
      wSum += w[c];
      x += sigma[c] * y[c];
    }
    assertEquals(1.0, MathTesting.sum(y, 0, k), 1e-12);
    double g = 1 + wSum;
    for (int c = 0; c < k; c++) {
      if (y[c] > 0) {
        double r = g - sigma[c] / x - (w[c] > 0 ? w[c] / y[c] : 0);
        assertEquals(0, r / g, KKT_TOL, "stationarity of class " + c + " (y=" + y[c] + ")");
      } else {
        assertTrue(w[c] < NewtonMStep.MIN_WEIGHT,
            "a class with positive weight cannot be 0 (log barrier); subnormal ones count as 0");
        assertTrue(g - sigma[c] / x >= -KKT_TOL * g, "dual feasibility of class " + c);
      }
    }
  }

  private double[] weights(int k, double lambda, double zeroFraction) {
    double[] w = new double[k];
    for (int c = 0; c < k; c++) {
      w[c] = rnd.nextDouble() < zeroFraction ? 0 : lambda / k * (0.05 + 2 * rnd.nextDouble());
    }
    return w;
  }

  private double[] solve(double[] sigma, double[] w) {
    double[] y = new double[sigma.length];
    NewtonMStep.solve(sigma, 0, w, 0, sigma.length, y, 0);
    return y;
  }

  @Test
  void interiorSolutionMeetsKktAcrossSizesAndLambdas() {
    for (int k : new int[] {2, 3, 10, 100, 1000}) {
      for (double lambda : new double[] {1e-6, 1e-3, 1, 100, 1e4, 1e6}) {
        for (double spread : new double[] {0.1, 2, 10}) {
          double[] sigma = MathTesting.randomSimplex(rnd, k, spread);
          double[] w = weights(k, lambda, 0);
          assertKkt(sigma, w, solve(sigma, w));
        }
      }
    }
  }

  @Test
  void beatsRandomFeasiblePerturbations() {
    for (int t = 0; t < 200; t++) {
      int k = 2 + rnd.nextInt(20);
      double lambda = Math.pow(10, -3 + 6 * rnd.nextDouble());
      double[] sigma = MathTesting.randomSimplex(rnd, k, 3);
      double[] w = weights(k, lambda, t % 3 == 0 ? 0.4 : 0);
      double[] y = solve(sigma, w);
      double best = objective(sigma, w, y);
      for (int p = 0; p < 20; p++) {
        double[] q = MathTesting.randomSimplex(rnd, k, 3);
        double step = Math.pow(10, -4 + 4 * rnd.nextDouble());
        double[] other = new double[k];
        for (int c = 0; c < k; c++) {
          other[c] = (1 - step) * y[c] + step * q[c];
        }
        assertTrue(objective(sigma, w, other) >= best - 1e-12 * Math.max(1, Math.abs(best)),
            "a feasible perturbation did better");
      }
    }
  }

  @Test
  void zeroWeightsFollowAppendixB() {
    // y_c > 0 branch: the unsupported class has the largest prediction by far
    double[] sigma = {0.9, 0.05, 0.05};
    double[] w = {0, 0.2, 0.3};
    double[] y = solve(sigma, w);
    assertKkt(sigma, w, y);
    assertTrue(y[0] > 0);
    // closed form of Appendix B: y_k = w_k / ((1+W)(1 - σ_k/σ_c))
    assertEquals(0.2 / (1.5 * (1 - 0.05 / 0.9)), y[1], 1e-12);
    // y_c = 0 branch: the unsupported class is not worth any mass
    double[] sigma2 = {0.2, 0.5, 0.3};
    double[] y2 = solve(sigma2, w);
    assertKkt(sigma2, w, y2);
    assertEquals(0, y2[0]);
    // only one unsupported class keeps mass, the one with the largest prediction
    double[] sigma3 = {0.4, 0.55, 0.03, 0.02};
    double[] w3 = {0, 0, 0.01, 0.01};
    double[] y3 = solve(sigma3, w3);
    assertKkt(sigma3, w3, y3);
    assertEquals(0, y3[0]);
    assertTrue(y3[1] > 0.9);
  }

  @Test
  void randomZeroWeightPatternsMeetKkt() {
    for (int t = 0; t < 500; t++) {
      int k = 2 + rnd.nextInt(30);
      double lambda = Math.pow(10, -6 + 12 * rnd.nextDouble());
      double[] sigma = MathTesting.randomSimplex(rnd, k, 1 + 5 * rnd.nextDouble());
      double[] w = weights(k, lambda, rnd.nextDouble());
      assertKkt(sigma, w, solve(sigma, w));
    }
  }

  @Test
  void allWeightsZeroGivesArgmax() {
    double[] sigma = {0.2, 0.5, 0.3};
    double[] y = solve(sigma, new double[3]);
    assertEquals("[0.0, 1.0, 0.0]", Arrays.toString(y));
  }

  @Test
  void extremePredictions() {
    int k = 1000;
    double[] w = weights(k, 100, 0);
    // one-hot σ
    double[] oneHot = new double[k];
    oneHot[17] = 1;
    assertKkt(oneHot, w, solve(oneHot, w));
    // uniform σ: the fairness term alone decides, y_k = w_k / W
    double[] uniform = new double[k];
    Arrays.fill(uniform, 1.0 / k);
    double[] y = solve(uniform, w);
    assertKkt(uniform, w, y);
    double wSum = MathTesting.sum(w, 0, k);
    for (int c = 0; c < k; c++) {
      assertEquals(w[c] / wSum, y[c], 1e-12);
    }
    // underflowing σ: logits spread so that most probabilities are exactly 0
    double[] z = new double[k];
    for (int c = 0; c < k; c++) {
      z[c] = -800.0 * c;
    }
    double[] under = new double[k];
    Softmax.softmax(z, 0, under, 0, k);
    assertEquals(0.0, under[5]);
    assertKkt(under, w, solve(under, w));
    double[] w2 = weights(k, 100, 0.5);
    w2[0] = 0; // the only non-zero prediction has no support: Appendix B closed form
    assertKkt(under, w2, solve(under, w2));
  }

  @Test
  void exactTiesAtTheMaximum() {
    double[] sigma = {0.4, 0.4, 0.2};
    double[] w = {0.1, 0.1, 0.1};
    double[] y = solve(sigma, w);
    assertKkt(sigma, w, y);
    assertEquals(y[0], y[1], 1e-15);
    double[] wz = {0, 0, 0.1};
    double[] yz = solve(sigma, wz);
    assertKkt(sigma, wz, yz);
    assertEquals(0, yz[1], "tied unsupported classes: the mass goes to the lowest index");
    double[] k2 = {0.5, 0.5};
    double[] w2 = {1e-6, 1e6};
    assertKkt(k2, w2, solve(k2, w2));
  }

  @Test
  void newtonConvergesInFewSteps() {
    int worst = 0;
    for (int t = 0; t < 300; t++) {
      int k = 2 + rnd.nextInt(200);
      double[] sigma = MathTesting.randomSimplex(rnd, k, 3);
      double[] w = weights(k, 100, 0);
      double[] y = new double[k];
      worst = Math.max(worst, NewtonMStep.solve(sigma, 0, w, 0, k, y, 0));
    }
    assertTrue(worst < 60, "Newton steps from Lemma 1's start: " + worst);
  }

  @Test
  void anyGuessOfTheRootGivesTheSameSolution() {
    // left of the root, just right of it, far right, outside the interval, none
    double[] factors = {0.5, 0.999, 1.0, 1.001, 1.3, 10, -1, Double.NaN};
    for (int t = 0; t < 300; t++) {
      int k = 2 + rnd.nextInt(120);
      double lambda = Math.pow(10, -4 + 7 * rnd.nextDouble());
      double[] sigma = MathTesting.randomSimplex(rnd, k, 1 + 5 * rnd.nextDouble());
      double[] w = weights(k, lambda, t % 3 == 0 ? 0.3 : 0);
      double[] cold = solve(sigma, w);
      assertKkt(sigma, w, cold);
      double x = 0;
      for (int c = 0; c < k; c++) {
        x += sigma[c] * cold[c];
      }
      for (double f : factors) {
        double[] y = new double[k];
        NewtonMStep.solve(sigma, 0, w, 0, k, y, 0, f * x);
        assertKkt(sigma, w, y);
        for (int c = 0; c < k; c++) {
          assertEquals(cold[c], y[c], 1e-12 * Math.max(1, cold[c]), () -> "guess " + f + " x*");
        }
      }
    }
  }
}
