package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The classifier σ = softmax(Wᵀf + b): gradient of the summed H2 by finite differences, init, optimisers. */
class LinearSoftmaxTest {
  private final SplittableRandom rnd = new SplittableRandom(5);

  private double loss(double[] w, double[] b, int dim, int k, double[] x, int rows, double[] y) {
    return LinearSoftmax.addCollisionGradient(w, b, dim, k, x, 0, rows, y, new double[dim * k],
        new double[k], new double[rows * k]);
  }

  @Test
  void collisionGradientMatchesFiniteDifferences() {
    int dim = 6;
    int k = 4;
    int rows = 9;
    double[] x = new double[rows * dim];
    for (int i = 0; i < x.length; i++) {
      x[i] = StandardNormal.draw(rnd);
    }
    x[3] = 0; // the kernels skip zero features: cover that path
    double[] y = MathTesting.randomSimplexRows(rnd, rows, k, 2);
    double[] w = LinearSoftmax.kaimingWeights(dim, k, 1);
    double[] b = {0.1, -0.2, 0.3, 0};
    double[] gw = new double[dim * k];
    double[] gb = new double[k];
    LinearSoftmax.addCollisionGradient(w, b, dim, k, x, 0, rows, y, gw, gb, new double[rows * k]);
    double h = 1e-6;
    for (int j = 0; j < w.length; j++) {
      double[] wp = w.clone();
      double[] wm = w.clone();
      wp[j] += h;
      wm[j] -= h;
      double fd = (loss(wp, b, dim, k, x, rows, y) - loss(wm, b, dim, k, x, rows, y)) / (2 * h);
      assertEquals(fd, gw[j], 1e-7);
    }
    for (int c = 0; c < k; c++) {
      double[] bp = b.clone();
      double[] bm = b.clone();
      bp[c] += h;
      bm[c] -= h;
      double fd = (loss(w, bp, dim, k, x, rows, y) - loss(w, bm, dim, k, x, rows, y)) / (2 * h);
      assertEquals(fd, gb[c], 1e-7);
    }
  }

  @Test
  void probabilitiesAreSoftmaxOfLogits() {
    int dim = 3;
    int k = 2;
    double[] w = {1, -1, 0, 2, 0.5, 0.5};
    double[] b = {0, 1};
    double[] x = {1, 2, 3};
    double[] p = new double[2];
    LinearSoftmax.probabilities(w, b, dim, k, x, 0, 1, p);
    double z0 = 1 * 1 + 2 * 0 + 3 * 0.5;
    double z1 = 1 * -1 + 2 * 2 + 3 * 0.5 + 1;
    assertEquals(1 / (1 + Math.exp(z1 - z0)), p[0], 1e-15);
    assertEquals(1, p[0] + p[1], 1e-15);
  }

  @Test
  void kaimingInitHasVarianceTwoOverFanIn() {
    int dim = 500;
    double[] w = LinearSoftmax.kaimingWeights(dim, 40, 9);
    double s2 = 0;
    for (double v : w) {
      assertTrue(Math.abs(v) <= Math.sqrt(6.0 / dim));
      s2 += v * v;
    }
    assertEquals(2.0 / dim, s2 / w.length, 0.05 * 2.0 / dim);
  }

  @Test
  void optimisersMinimiseAQuadratic() {
    for (Optimizer opt : new Optimizer[] {Optimizer.create("sgd", 2, 0.1, 0),
        Optimizer.create("sgd", 2, 0.05, 0.9), Optimizer.create("adam", 2, 0.05, 0)}) {
      double[] p = {3, -2};
      for (int t = 0; t < 2000; t++) {
        opt.step(p, new double[] {2 * (p[0] - 1), 4 * (p[1] + 0.5)});
      }
      assertEquals(1, p[0], 1e-6, opt.getClass().getSimpleName());
      assertEquals(-0.5, p[1], 1e-6, opt.getClass().getSimpleName());
    }
  }

  @Test
  void sgdWithMomentumFollowsTheHeavyBallFormula() {
    Optimizer opt = Optimizer.create("sgd", 1, 0.1, 0.5);
    double[] p = {0};
    opt.step(p, new double[] {1}); // v = 1, p = -0.1
    opt.step(p, new double[] {1}); // v = 1.5, p = -0.25
    assertEquals(-0.25, p[0], 1e-15);
  }
}
