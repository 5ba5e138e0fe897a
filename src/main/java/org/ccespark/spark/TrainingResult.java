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
 */
public record TrainingResult(int dim, int k, double[] weights, double[] bias, double[] lossPerEpoch,
    double[] emIterationsPerEpoch, long[] clusterSizes, long numRows, double seconds,
    double[] restartLosses, int chosenRestart) implements Serializable {

  /** @return this result with the restarts' losses and the chosen one */
  TrainingResult withRestarts(double[] losses, int chosen, double totalSeconds) {
    return new TrainingResult(dim, k, weights, bias, lossPerEpoch, emIterationsPerEpoch,
        clusterSizes, numRows, totalSeconds, losses, chosen);
  }
}
