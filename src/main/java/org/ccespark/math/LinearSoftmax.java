package org.ccespark.math;

import java.util.SplittableRandom;

/**
 * The linear softmax classifier {@code σ = softmax(Wᵀf + b)} of the paper's fixed-feature experiments
 * (section 5.1, E.2). {@code W} is D×K, stored row-major ({@code w[d*K + k]}); {@code b} has length K.
 * Rows of a feature block are points: row i occupies {@code x[i*D .. i*D+D)}.
 */
public final class LinearSoftmax {
  private LinearSoftmax() {}

  /**
   * Kaiming (He) initialisation for a layer followed by a rectifier-like nonlinearity, uniform form:
   * {@code W ~ U(-√(6/D), √(6/D))}, so {@code Var W = 2/D} (fan-in mode). The bias starts at zero.
   */
  public static double[] kaimingWeights(int dim, int k, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double bound = Math.sqrt(6.0 / dim);
    double[] w = new double[dim * k];
    for (int i = 0; i < w.length; i++) {
      w[i] = (2 * rnd.nextDouble() - 1) * bound;
    }
    return w;
  }

  /**
   * Logits {@code z_i = Wᵀ x_i + b} of {@code rows} consecutive rows of {@code x} starting at row
   * {@code firstRow}, written row-major into {@code z[0 .. rows*K)}.
   */
  public static void logits(double[] w, double[] b, int dim, int k, double[] x, int firstRow, int rows,
      double[] z) {
    for (int i = 0; i < rows; i++) {
      int zo = i * k;
      System.arraycopy(b, 0, z, zo, k);
      int xo = (firstRow + i) * dim;
      for (int d = 0; d < dim; d++) {
        double xd = x[xo + d];
        if (xd == 0) {
          continue;
        }
        int wo = d * k;
        for (int c = 0; c < k; c++) {
          z[zo + c] += xd * w[wo + c];
        }
      }
    }
  }

  /** Probabilities {@code σ_i} of the given rows, written row-major into {@code out[0 .. rows*K)}. */
  public static void probabilities(double[] w, double[] b, int dim, int k, double[] x, int firstRow,
      int rows, double[] out) {
    logits(w, b, dim, k, x, firstRow, rows, out);
    for (int i = 0; i < rows; i++) {
      Softmax.softmax(out, i * k, out, i * k, k);
    }
  }

  /**
   * Accumulates the gradient of {@code Σ_i g_i · z_i} with respect to W and b, where {@code g} holds
   * the per-row gradients with respect to the logits ({@code rows × K}): {@code gw += Σ_i x_i g_iᵀ},
   * {@code gb += Σ_i g_i}.
   */
  public static void accumulateGradient(int dim, int k, double[] x, int firstRow, int rows, double[] g,
      double[] gw, double[] gb) {
    for (int i = 0; i < rows; i++) {
      int go = i * k;
      for (int c = 0; c < k; c++) {
        gb[c] += g[go + c];
      }
      int xo = (firstRow + i) * dim;
      for (int d = 0; d < dim; d++) {
        double xd = x[xo + d];
        if (xd == 0) {
          continue;
        }
        int wo = d * k;
        for (int c = 0; c < k; c++) {
          gw[wo + c] += xd * g[go + c];
        }
      }
    }
  }

  /**
   * The collision cross-entropy part of the classifier's training loss on a block: for the given
   * rows and their pseudo-labels {@code y} (row-major, {@code rows × K}), returns
   * {@code Σ_i H2(y_i, σ_i)} and adds {@code Σ_i ∂H2(y_i, σ_i)/∂(W, b)} to {@code gw}, {@code gb}.
   * The caller divides by the number of points and adds weight decay.
   *
   * @param scratch work space of length at least {@code rows × K} (logits, then their gradients)
   */
  public static double addCollisionGradient(double[] w, double[] b, int dim, int k, double[] x,
      int firstRow, int rows, double[] y, double[] gw, double[] gb, double[] scratch) {
    logits(w, b, dim, k, x, firstRow, rows, scratch);
    double loss = 0;
    for (int i = 0; i < rows; i++) {
      loss += CrossEntropy.collisionFromLogits(y, i * k, scratch, i * k, k, scratch, i * k);
    }
    accumulateGradient(dim, k, x, firstRow, rows, scratch, gw, gb);
    return loss;
  }
}
