package org.ccespark.math;

import java.util.SplittableRandom;

/** Random inputs for the kernel tests. */
final class MathTesting {
  private MathTesting() {}

  /** A random point of the simplex: softmax of Gaussian logits with the given spread. */
  static double[] randomSimplex(SplittableRandom rnd, int k, double spread) {
    double[] z = new double[k];
    for (int c = 0; c < k; c++) {
      z[c] = spread * StandardNormal.draw(rnd);
    }
    Softmax.softmax(z, 0, z, 0, k);
    return z;
  }

  /** {@code rows} random simplex points, row-major. */
  static double[] randomSimplexRows(SplittableRandom rnd, int rows, int k, double spread) {
    double[] out = new double[rows * k];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(randomSimplex(rnd, k, spread), 0, out, i * k, k);
    }
    return out;
  }

  static double sum(double[] a, int off, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += a[off + i];
    }
    return s;
  }
}
