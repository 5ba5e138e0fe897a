package org.ccespark.spark;

import java.io.Serializable;
import org.ccespark.selflabel.SelfLabelingMethods;
import org.ccespark.selflabel.SelfLabelingObjective;

/**
 * Everything the distributed training loop needs, as plain values (validated by the ML layer).
 *
 * @param k number of clusters
 * @param lambda the method's λ (for {@code cce}, the weight of the fairness term of eq. 11)
 * @param epochs passes over the data
 * @param batchSize global mini-batch size (schedule {@code minibatch})
 * @param stepSize learning rate of the optimiser
 * @param weightDecay L2 coefficient on the classifier weights
 * @param optimizer {@code sgd} or {@code adam}
 * @param momentum SGD momentum (0 = plain SGD)
 * @param emMaxIter maximum iterations per pseudo-label solve (EM, PGD, Sinkhorn, fixed point)
 * @param emTol the pseudo-label solver's tolerance
 * @param seed random seed (initialisation and batch order)
 * @param schedule {@code minibatch} or {@code fulldata}
 * @param method the objective, a name of {@link SelfLabelingMethods}
 * @param pgdStepSize PGD's step for {@code cce-pgd}
 * @param seedLabelWeight weight of the Shannon cross-entropy on rows with a given label
 *     (semi-supervised mode; the paper uses 2)
 * @param solver pseudo-label solver of {@code cce}: {@code exact}, {@code squarem} or {@code em}
 * @param init the classifier's start: {@code random} (Kaiming-uniform W, zero b) or {@code kmeans}
 *     (the nearest-centroid rule of MLlib K-means' centroids)
 * @param restarts number of fits from different starts (seeds {@code seed, seed+1, ...}); the
 *     one with the lowest final loss is kept
 * @param temperature softmax temperature of the first epoch, lowered geometrically to 1 in the
 *     last ({@link #temperatureAt}); 1: the paper's training
 */
public record TrainingConfig(int k, double lambda, int epochs, int batchSize, double stepSize,
    double weightDecay, String optimizer, double momentum, int emMaxIter, double emTol, long seed,
    String schedule, String method, double pgdStepSize, double seedLabelWeight, String solver,
    String init, int restarts, double temperature) implements Serializable {

  /** Default of {@link #solver()}. */
  public static final String DEFAULT_SOLVER = "exact";
  /**
   * The estimator's default of {@link #init()}: measured better than the paper's random start on
   * every data set tried (strong features: ACC 0.82 with all 10 clusters against 0.63 with three
   * empty; demo digits, seeds 1 and 2: 0.60 and 0.52 against 0.45 and 0.50).
   */
  public static final String DEFAULT_INIT = "kmeans";
  /** The paper's start (Kaiming-uniform W, zero b), used by the shorter constructors. */
  public static final String PAPER_INIT = "random";
  /** The values of {@link #init()}. */
  public static final java.util.List<String> INITS = java.util.List.of("random", "kmeans");

  /** With the paper's random start and one fit. */
  public TrainingConfig(int k, double lambda, int epochs, int batchSize, double stepSize,
      double weightDecay, String optimizer, double momentum, int emMaxIter, double emTol, long seed,
      String schedule, String method, double pgdStepSize, double seedLabelWeight, String solver) {
    this(k, lambda, epochs, batchSize, stepSize, weightDecay, optimizer, momentum, emMaxIter, emTol,
        seed, schedule, method, pgdStepSize, seedLabelWeight, solver, PAPER_INIT, 1,
        DEFAULT_TEMPERATURE);
  }

  /** With the default solver. */
  public TrainingConfig(int k, double lambda, int epochs, int batchSize, double stepSize,
      double weightDecay, String optimizer, double momentum, int emMaxIter, double emTol, long seed,
      String schedule, String method, double pgdStepSize, double seedLabelWeight) {
    this(k, lambda, epochs, batchSize, stepSize, weightDecay, optimizer, momentum, emMaxIter, emTol,
        seed, schedule, method, pgdStepSize, seedLabelWeight, DEFAULT_SOLVER);
  }

  /** @return this configuration with another seed-label weight */
  public TrainingConfig withSeedLabelWeight(double weight) {
    return new TrainingConfig(k, lambda, epochs, batchSize, stepSize, weightDecay, optimizer,
        momentum, emMaxIter, emTol, seed, schedule, method, pgdStepSize, weight, solver, init,
        restarts, temperature);
  }

  /** @return this configuration for restart {@code r}: seed {@code seed + r}, one fit */
  public TrainingConfig forRestart(int r) {
    return new TrainingConfig(k, lambda, epochs, batchSize, stepSize, weightDecay, optimizer,
        momentum, emMaxIter, emTol, seed + r, schedule, method, pgdStepSize, seedLabelWeight,
        solver, init, 1, temperature);
  }

  /** Default of {@link #temperature()}: 1, the paper's training. */
  public static final double DEFAULT_TEMPERATURE = 1.0;

  /**
   * The softmax temperature of epoch {@code epoch} (0-based): {@code T^((E−1−e)/(E−1))} for
   * {@code E = epochs > 1}, from {@code T} in the first epoch down to exactly 1 in the last; 1 for
   * a single epoch.
   */
  public double temperatureAt(int epoch) {
    if (temperature == 1 || epochs <= 1 || epoch >= epochs - 1) {
      return 1;
    }
    return Math.pow(temperature, (epochs - 1 - epoch) / (double) (epochs - 1));
  }

  /** Default of {@link #pgdStepSize()}. */
  public static final double DEFAULT_PGD_STEP_SIZE = 0.001;
  /** Default of {@link #seedLabelWeight()}: the paper's weight 2 (appendix E.2). */
  public static final double DEFAULT_SEED_LABEL_WEIGHT = 2.0;

  /** The collision cross-entropy method {@code cce} with the default PGD step and seed weight. */
  public TrainingConfig(int k, double lambda, int epochs, int batchSize, double stepSize,
      double weightDecay, String optimizer, double momentum, int emMaxIter, double emTol, long seed,
      String schedule) {
    this(k, lambda, epochs, batchSize, stepSize, weightDecay, optimizer, momentum, emMaxIter, emTol,
        seed, schedule, "cce", DEFAULT_PGD_STEP_SIZE, DEFAULT_SEED_LABEL_WEIGHT);
  }

  /** @return the method's objective with this configuration's λ and solver settings */
  public SelfLabelingObjective objective() {
    return SelfLabelingMethods.create(method, lambda, emMaxIter, emTol, pgdStepSize, solver);
  }
}
