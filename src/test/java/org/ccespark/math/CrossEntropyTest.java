package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Properties of collision and Shannon cross-entropy from section 3 of the paper. */
class CrossEntropyTest {
  private final SplittableRandom rnd = new SplittableRandom(7);

  @Test
  void collisionIsSymmetric() {
    for (int t = 0; t < 50; t++) {
      double[] p = MathTesting.randomSimplex(rnd, 7, 2);
      double[] q = MathTesting.randomSimplex(rnd, 7, 2);
      assertEquals(CrossEntropy.collision(p, 0, q, 0, 7), CrossEntropy.collision(q, 0, p, 0, 7), 1e-15);
    }
  }

  @Test
  void collisionEqualsShannonForOneHotLabels() {
    for (int t = 0; t < 20; t++) {
      double[] q = MathTesting.randomSimplex(rnd, 5, 3);
      double[] y = new double[5];
      y[t % 5] = 1;
      assertEquals(CrossEntropy.shannon(y, 0, q, 0, 5), CrossEntropy.collision(y, 0, q, 0, 5), 1e-12);
    }
  }

  @Test
  void collisionIsMinusLogCosinePlusMeanCollisionEntropies() {
    for (int t = 0; t < 50; t++) {
      double[] p = MathTesting.randomSimplex(rnd, 6, 2);
      double[] q = MathTesting.randomSimplex(rnd, 6, 2);
      double dot = 0;
      double np = 0;
      double nq = 0;
      for (int c = 0; c < 6; c++) {
        dot += p[c] * q[c];
        np += p[c] * p[c];
        nq += q[c] * q[c];
      }
      double cos = dot / Math.sqrt(np * nq);
      double expected = -Math.log(cos)
          + (CrossEntropy.collisionEntropy(p, 0, 6) + CrossEntropy.collisionEntropy(q, 0, 6)) / 2;
      assertEquals(expected, CrossEntropy.collision(p, 0, q, 0, 6), 1e-12);
    }
  }

  @Test
  void uniformLabelGivesZeroGradient() {
    int k = 9;
    double[] y = new double[k];
    java.util.Arrays.fill(y, 1.0 / k);
    double[] z = new double[k];
    for (int c = 0; c < k; c++) {
      z[c] = 4 * StandardNormal.draw(rnd);
    }
    double[] g = new double[k];
    double loss = CrossEntropy.collisionFromLogits(y, 0, z, 0, k, g, 0);
    assertEquals(Math.log(k), loss, 1e-12, "uniform y: Σ y σ = 1/K whatever σ is");
    for (double gc : g) {
      assertEquals(0, gc, 1e-15);
    }
  }

  @Test
  void logitsFormMatchesProbabilityForm() {
    for (int t = 0; t < 30; t++) {
      int k = 2 + t % 10;
      double[] z = new double[k];
      for (int c = 0; c < k; c++) {
        z[c] = 3 * StandardNormal.draw(rnd);
      }
      double[] s = new double[k];
      Softmax.softmax(z, 0, s, 0, k);
      double[] y = MathTesting.randomSimplex(rnd, k, 2);
      assertEquals(CrossEntropy.collision(y, 0, s, 0, k), CrossEntropy.collisionFromLogits(y, 0, z, 0, k, null, 0), 1e-12);
      assertEquals(CrossEntropy.shannon(y, 0, s, 0, k), CrossEntropy.shannonFromLogits(y, 0, z, 0, k, null, 0), 1e-12);
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (int t = 0; t < 30; t++) {
      int k = 2 + t % 7;
      double[] z = new double[k];
      for (int c = 0; c < k; c++) {
        z[c] = 2 * StandardNormal.draw(rnd);
      }
      double[] y = MathTesting.randomSimplex(rnd, k, 2);
      double[] gc = new double[k];
      double[] gs = new double[k];
      CrossEntropy.collisionFromLogits(y, 0, z, 0, k, gc, 0);
      CrossEntropy.shannonFromLogits(y, 0, z, 0, k, gs, 0);
      double h = 1e-6;
      for (int c = 0; c < k; c++) {
        double[] zp = z.clone();
        double[] zm = z.clone();
        zp[c] += h;
        zm[c] -= h;
        double fdC = (CrossEntropy.collisionFromLogits(y, 0, zp, 0, k, null, 0)
            - CrossEntropy.collisionFromLogits(y, 0, zm, 0, k, null, 0)) / (2 * h);
        double fdS = (CrossEntropy.shannonFromLogits(y, 0, zp, 0, k, null, 0)
            - CrossEntropy.shannonFromLogits(y, 0, zm, 0, k, null, 0)) / (2 * h);
        assertEquals(fdC, gc[c], 1e-8);
        assertEquals(fdS, gs[c], 1e-8);
      }
    }
  }

  @Test
  void underflowingPredictionsStayFinite() {
    // σ for the labelled classes is exp(-2000) relative: far below Double.MIN_VALUE
    double[] z = {2000, 0, 0};
    double[] y = {0, 0.5, 0.5};
    double[] g = new double[3];
    double loss = CrossEntropy.collisionFromLogits(y, 0, z, 0, 3, g, 0);
    assertEquals(2000, loss, 1e-9);
    assertEquals(1, g[0], 1e-12);
    assertEquals(-0.5, g[1], 1e-12);
    assertEquals(-0.5, g[2], 1e-12);
    assertTrue(Double.isFinite(CrossEntropy.shannonFromLogits(y, 0, z, 0, 3, g, 0)));
  }

  @Test
  void gradientCanOverwriteLogits() {
    double[] z = {0.3, -1.2, 2.0, 0.1};
    double[] y = {0.1, 0.2, 0.3, 0.4};
    double[] g = new double[4];
    double l1 = CrossEntropy.collisionFromLogits(y, 0, z, 0, 4, g, 0);
    double l2 = CrossEntropy.collisionFromLogits(y, 0, z, 0, 4, z, 0);
    assertEquals(l1, l2, 0);
    assertEquals(java.util.Arrays.toString(g), java.util.Arrays.toString(z));
  }
}
