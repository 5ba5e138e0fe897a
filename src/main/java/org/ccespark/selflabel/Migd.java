package org.ccespark.selflabel;

import org.ccespark.math.Softmax;

/**
 * MIGD — Krause, Perona and Gomes, "Discriminative clustering by regularized information
 * maximization", NeurIPS 2010 (after Bridle, Heading and MacKay 1991): the mutual-information loss
 * {@code L_mi = mean_i H(σ_i) - H(σ̄)} (eq. 1 of this project's paper), minimised by gradient
 * descent on the classifier directly; there are no pseudo-labels.
 *
 * <ul>
 *   <li>Loss with weight λ on the fairness part: {@code L = mean_i H(σ_i) - λ H(σ̄)}
 *       ({@code -H(σ̄) = KL(σ̄‖u) - ln K}), eq. 1 at λ = 1; {@code σ̄} is the mean prediction over
 *       the block (the mini-batch share).</li>
 *   <li>Gradient of {@code M·L} with respect to the logits of point i:
 *       {@code ∂/∂z_ij = -σ_ij (ln σ_ij + H(σ_i)) + λ σ_ij (ln σ̄_j - Σ_c σ_ic ln σ̄_c)}.</li>
 *   <li>λ: weight of the fairness term; default 1 (eq. 1). Krause et al. regularise the weights by
 *       L2, which is the trainer's weight decay.</li>
 * </ul>
 */
public final class Migd implements SelfLabelingObjective {
  private static final long serialVersionUID = 1L;
  private static final double LOG_FLOOR = Math.log(Double.MIN_NORMAL);

  private final double lambda;

  /** @param lambda weight λ ≥ 0 of {@code -H(σ̄)} */
  public Migd(double lambda) {
    this.lambda = lambda;
  }

  /** No pseudo-labels: nothing to solve. */
  @Override
  public int solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed) {
    return 0;
  }

  @Override
  public boolean usesPseudoLabels() {
    return false;
  }

  /** {@code mean_i H(σ_i) - λ H(σ̄)}. */
  @Override
  public double loss(double[] sigma, double[] y, int rows, int k) {
    double[] mean = new double[k];
    double h = 0;
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < k; c++) {
        double s = sigma[i * k + c];
        mean[c] += s / rows;
        if (s > 0) {
          h -= s * Math.log(s);
        }
      }
    }
    double hMean = 0;
    for (double p : mean) {
      if (p > 0) {
        hMean -= p * Math.log(p);
      }
    }
    return h / rows - lambda * hMean;
  }

  @Override
  public double networkLoss(double[] z, double[] sigma, double[] y, int rows, int k,
      double[] grad) {
    double[] mean = new double[k];
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < k; c++) {
        mean[c] += sigma[i * k + c] / rows;
      }
    }
    double[] logMean = new double[k];
    double hMean = 0;
    for (int c = 0; c < k; c++) {
      logMean[c] = Math.max(Math.log(mean[c]), LOG_FLOOR);
      hMean -= mean[c] * logMean[c];
    }
    double sum = 0;
    for (int i = 0; i < rows; i++) {
      int o = i * k;
      double lse = Softmax.logSumExp(z, o, k);
      double h = 0;
      double dot = 0;
      for (int c = 0; c < k; c++) {
        double s = sigma[o + c];
        h -= s * (z[o + c] - lse);
        dot += s * logMean[c];
      }
      for (int c = 0; c < k; c++) {
        double s = sigma[o + c];
        grad[o + c] = -s * (z[o + c] - lse + h) + lambda * s * (logMean[c] - dot);
      }
      sum += h;
    }
    return sum - lambda * rows * hMean;
  }
}
