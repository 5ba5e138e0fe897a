package org.ccespark.math;

/** Numerically stable softmax and log-sum-exp over one row of a flat block. */
public final class Softmax {
  private Softmax() {}

  /** {@code ln Σ_k exp(z[off+k])} for k in [0, n), shifted by the maximum so nothing overflows. */
  public static double logSumExp(double[] z, int off, int n) {
    double m = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      m = Math.max(m, z[off + k]);
    }
    if (m == Double.NEGATIVE_INFINITY) {
      return m;
    }
    double s = 0;
    for (int k = 0; k < n; k++) {
      s += Math.exp(z[off + k] - m);
    }
    return m + Math.log(s);
  }

  /** Writes {@code softmax(z[zOff..zOff+n))} into {@code out[outOff..outOff+n)}; z and out may alias. */
  public static void softmax(double[] z, int zOff, double[] out, int outOff, int n) {
    double m = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      m = Math.max(m, z[zOff + k]);
    }
    double s = 0;
    for (int k = 0; k < n; k++) {
      double e = Math.exp(z[zOff + k] - m);
      out[outOff + k] = e;
      s += e;
    }
    double inv = 1.0 / s;
    for (int k = 0; k < n; k++) {
      out[outOff + k] *= inv;
    }
  }

  /** Index of the largest of {@code a[off .. off+n)}; the lowest index among ties. */
  public static int argmax(double[] a, int off, int n) {
    int best = 0;
    for (int c = 1; c < n; c++) {
      if (a[off + c] > a[off + best]) {
        best = c;
      }
    }
    return best;
  }
}
