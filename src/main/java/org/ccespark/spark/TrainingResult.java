package org.ccespark.spark;

import java.io.Serializable;

/**
 * What a fit produced: the classifier {@code σ = softmax(Wᵀf + b)} and how training went.
 *
 * @param dim feature dimension D
 * @param k number of clusters K
 * @param weights W, row-major D×K ({@code weights[d*K + k]})
 * @param bias b, length K
 * @param lossPerEpoch mean loss L_CCE+ (eq. 11) over the pseudo-label solves of each epoch
 * @param emIterationsPerEpoch mean EM iterations per pseudo-label solve, per epoch
 * @param clusterSizes number of training points whose most probable cluster is k, after training
 * @param numRows training rows
 * @param seconds wall-clock seconds of the fit
 * @param restartLosses the final full-data loss of each restart (one entry without restarts)
 * @param chosenRestart the index of the restart kept (the lowest loss)
 * @param restartWeights W of each restart, as {@code weights} (the chosen one's is {@code
 *     weights}); null without restarts
 * @param restartBiases b of each restart; null without restarts
 */
public record TrainingResult(int dim, int k, double[] weights, double[] bias, double[] lossPerEpoch,
    double[] emIterationsPerEpoch, long[] clusterSizes, long numRows, double seconds,
    double[] restartLosses, int chosenRestart, double[][] restartWeights,
    double[][] restartBiases) implements Serializable {

  /** @return a single fit's result (no restarts) */
  static TrainingResult single(int dim, int k, double[] weights, double[] bias,
      double[] lossPerEpoch, double[] emIterationsPerEpoch, long[] clusterSizes, long numRows,
      double seconds) {
    return new TrainingResult(dim, k, weights, bias, lossPerEpoch, emIterationsPerEpoch,
        clusterSizes, numRows, seconds, new double[] {Double.NaN}, 0, null, null);
  }

  /**
   * @return the result of restart {@code chosen} of {@code all}, with every restart's loss and
   *     classifier
   */
  static TrainingResult ofRestarts(TrainingResult[] all, double[] losses, int chosen,
      double totalSeconds) {
    TrainingResult c = all[chosen];
    double[][] w = new double[all.length][];
    double[][] b = new double[all.length][];
    for (int r = 0; r < all.length; r++) {
      w[r] = all[r].weights();
      b[r] = all[r].bias();
    }
    return new TrainingResult(c.dim, c.k, c.weights, c.bias, c.lossPerEpoch,
        c.emIterationsPerEpoch, c.clusterSizes, c.numRows, totalSeconds, losses, chosen, w, b);
  }
}
