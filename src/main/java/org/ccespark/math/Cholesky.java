package org.ccespark.math;

/** Dense Cholesky factorisation {@code A = L Lᵀ} of a symmetric positive definite matrix. */
final class Cholesky {
  private Cholesky() {}

  /**
   * Solves {@code A x = b} in place.
   *
   * @param a row-major {@code n × n}, symmetric positive definite; overwritten by its factor
   * @param b right-hand side; overwritten by {@code x}
   * @return false (with {@code a} and {@code b} partly overwritten) if {@code A} is not positive
   *     definite in floating point
   */
  static boolean solveInPlace(double[] a, int n, double[] b) {
    if (!factorInPlace(a, n)) {
      return false;
    }
    solveFactored(a, n, b);
    return true;
  }

  /**
   * Overwrites the lower triangle of {@code a} with its factor {@code L}.
   *
   * @return false (with {@code a} partly overwritten) if {@code A} is not positive definite in
   *     floating point
   */
  static boolean factorInPlace(double[] a, int n) {
    for (int j = 0; j < n; j++) {
      int rj = j * n;
      double d = a[rj + j];
      for (int p = 0; p < j; p++) {
        d -= a[rj + p] * a[rj + p];
      }
      if (!(d > 0)) {
        return false;
      }
      double ljj = Math.sqrt(d);
      a[rj + j] = ljj;
      for (int i = j + 1; i < n; i++) {
        int ri = i * n;
        double s = a[ri + j];
        for (int p = 0; p < j; p++) {
          s -= a[ri + p] * a[rj + p];
        }
        a[ri + j] = s / ljj;
      }
    }
    return true;
  }

  /** Solves {@code L Lᵀ x = b} in place with the factor from {@link #factorInPlace}. */
  static void solveFactored(double[] a, int n, double[] b) {
    for (int i = 0; i < n; i++) { // L z = b
      int ri = i * n;
      double s = b[i];
      for (int p = 0; p < i; p++) {
        s -= a[ri + p] * b[p];
      }
      b[i] = s / a[ri + i];
    }
    for (int i = n - 1; i >= 0; i--) { // Lᵀ x = z
      double s = b[i];
      for (int p = i + 1; p < n; p++) {
        s -= a[p * n + i] * b[p];
      }
      b[i] = s / a[i * n + i];
    }
  }
}
