package org.ccespark.spark;

import java.io.Serializable;

/**
 * Everything the distributed training loop needs, as plain values (validated by the ML layer).
 *
 * @param k number of clusters
 * @param lambda weight of the fairness term {@code λ·KL(u‖ȳ)} of eq. 11
 * @param epochs passes over the data
 * @param batchSize global mini-batch size (schedule {@code minibatch})
 * @param stepSize learning rate of the optimiser
 * @param weightDecay L2 coefficient on the classifier weights
 * @param optimizer {@code sgd} or {@code adam}
 * @param momentum SGD momentum (0 = plain SGD)
 * @param emMaxIter maximum EM iterations per pseudo-label solve
 * @param emTol EM stops when no pseudo-label entry moved by more than this
 * @param seed random seed (initialisation and batch order)
 * @param schedule {@code minibatch} or {@code fulldata}
 */
public record TrainingConfig(int k, double lambda, int epochs, int batchSize, double stepSize,
    double weightDecay, String optimizer, double momentum, int emMaxIter, double emTol, long seed,
    String schedule) implements Serializable {}
