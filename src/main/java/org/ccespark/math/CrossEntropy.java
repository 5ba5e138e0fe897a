package org.ccespark.math;

/**
 * The two cross-entropies of the paper, for one point, computed from the logits {@code z} of
 * {@code σ = softmax(z)} so that nothing underflows:
 *
 * <ul>
 *   <li>collision cross-entropy (eq. 9): {@code H2(y, σ) = -ln Σ_k y_k σ_k}; with
 *       {@code ln Σ_k y_k σ_k = lse_{k: y_k > 0}(ln y_k + z_k) - lse_k(z_k)} it stays finite even
 *       when every {@code σ_k} with {@code y_k > 0} underflows;</li>
 *   <li>Shannon cross-entropy (eq. 8): {@code H(y, σ) = -Σ_k y_k ln σ_k = lse(z) - Σ_k y_k z_k}.</li>
 * </ul>
 *
 * <p>Gradients with respect to the logits: {@code ∂H2/∂z = σ - r} with the "posterior"
 * {@code r_k = y_k σ_k / Σ_j y_j σ_j}, and {@code ∂H/∂z = σ - y} (for {@code Σ y = 1}). For a
 * uniform {@code y}, {@code r = σ}: collision CE gives the point no gradient at all.
 */
public final class CrossEntropy {
  private CrossEntropy() {}

  /** {@code H2(p, q) = -ln Σ_k p_k q_k} of two probability vectors (eq. 9); +∞ when they do not overlap. */
  public static double collision(double[] p, int pOff, double[] q, int qOff, int k) {
    double s = 0;
    for (int c = 0; c < k; c++) {
      s += p[pOff + c] * q[qOff + c];
    }
    return -Math.log(s);
  }

  /** {@code H(p, q) = -Σ_k p_k ln q_k} of two probability vectors (eq. 8), with {@code 0·ln 0 = 0}. */
  public static double shannon(double[] p, int pOff, double[] q, int qOff, int k) {
    double s = 0;
    for (int c = 0; c < k; c++) {
      double pc = p[pOff + c];
      if (pc > 0) {
        s -= pc * Math.log(q[qOff + c]);
      }
    }
    return s;
  }

  /** Collision entropy {@code H2(p) = -ln Σ_k p_k²} (eq. 6 with α = 2). */
  public static double collisionEntropy(double[] p, int off, int k) {
    return collision(p, off, p, off, k);
  }

  /**
   * {@code H2(y, softmax(z))} from logits, and, when {@code grad != null}, its gradient
   * {@code σ - r} with respect to {@code z} written to {@code grad[gOff .. gOff+K)}; {@code grad}
   * may be {@code z} itself (each entry is read before it is overwritten).
   *
   * @return the loss value; +∞ only if {@code y} is all zeros
   */
  public static double collisionFromLogits(double[] y, int yOff, double[] z, int zOff, int k,
      double[] grad, int gOff) {
    double zMax = Double.NEGATIVE_INFINITY;
    double tMax = Double.NEGATIVE_INFINITY; // max of ln y_k + z_k over y_k > 0
    for (int c = 0; c < k; c++) {
      double zc = z[zOff + c];
      zMax = Math.max(zMax, zc);
      double yc = y[yOff + c];
      if (yc > 0) {
        tMax = Math.max(tMax, Math.log(yc) + zc);
      }
    }
    if (tMax == Double.NEGATIVE_INFINITY) {
      return Double.POSITIVE_INFINITY;
    }
    double sumExpZ = 0;
    double sumExpT = 0;
    for (int c = 0; c < k; c++) {
      double zc = z[zOff + c];
      sumExpZ += Math.exp(zc - zMax);
      double yc = y[yOff + c];
      if (yc > 0) {
        sumExpT += Math.exp(Math.log(yc) + zc - tMax);
      }
    }
    double lseZ = zMax + Math.log(sumExpZ);
    double lseT = tMax + Math.log(sumExpT);
    if (grad != null) {
      for (int c = 0; c < k; c++) {
        double zc = z[zOff + c];
        double sigma = Math.exp(zc - lseZ);
        double yc = y[yOff + c];
        double r = yc > 0 ? Math.exp(Math.log(yc) + zc - lseT) : 0.0;
        grad[gOff + c] = sigma - r;
      }
    }
    return lseZ - lseT;
  }

  /**
   * {@code H(y, softmax(z))} from logits, and, when {@code grad != null}, its gradient
   * {@code σ·Σy - y} with respect to {@code z} (equal to {@code σ - y} on the simplex).
   */
  public static double shannonFromLogits(double[] y, int yOff, double[] z, int zOff, int k,
      double[] grad, int gOff) {
    double lse = Softmax.logSumExp(z, zOff, k);
    double loss = 0;
    double ySum = 0;
    for (int c = 0; c < k; c++) {
      double yc = y[yOff + c];
      ySum += yc;
      if (yc != 0) {
        loss += yc * (lse - z[zOff + c]);
      }
    }
    if (grad != null) {
      for (int c = 0; c < k; c++) {
        grad[gOff + c] = Math.exp(z[zOff + c] - lse) * ySum - y[yOff + c];
      }
    }
    return loss;
  }
}
