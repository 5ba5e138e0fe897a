package org.ccespark.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ccespark.math.Optimizer;
import org.ccespark.selflabel.Method;
import org.ccespark.selflabel.Schedule;
import org.ccespark.selflabel.SelfLabelingObjective;

/**
 * Everything the distributed training loop needs, as plain values (validated by the ML layer),
 * built by name with {@link #builder()}:
 *
 * <pre>{@code
 * TrainingConfig cfg = TrainingConfig.builder().k(10).epochs(10).batchSize(250).stepSize(0.1)
 *     .weightDecay(0.001).emMaxIter(1000).emTol(1e-5).seed(1).method(Method.SELA).build();
 * }</pre>
 *
 * <p>The method and schedule are checked against each other here, once, whoever builds the
 * configuration (the estimator, the supervised helper or a test).
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
 * @param method the objective
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
    double weightDecay, Optimizer.Kind optimizer, double momentum, int emMaxIter, double emTol,
    long seed, Schedule schedule, Method method, double pgdStepSize, double seedLabelWeight,
    String solver, String init, int restarts, double temperature) implements Serializable {

  /** Default of {@link #solver()}. */
  public static final String DEFAULT_SOLVER = Method.DEFAULT_SOLVER;
  /**
   * The estimator's default of {@link #init()}: measured better than the paper's random start on
   * every data set tried (strong features: ACC 0.82 with all 10 clusters against 0.63 with three
   * empty; demo digits, seeds 1 and 2: 0.60 and 0.52 against 0.45 and 0.50).
   */
  public static final String DEFAULT_INIT = "kmeans";
  /** The paper's start (Kaiming-uniform W, zero b), the builder's default. */
  public static final String PAPER_INIT = "random";
  /** The values of {@link #init()}. */
  public static final List<String> INITS = List.of("random", "kmeans");
  /** Default of {@link #temperature()}: 1, the paper's training. */
  public static final double DEFAULT_TEMPERATURE = 1.0;
  /** Default of {@link #pgdStepSize()}. */
  public static final double DEFAULT_PGD_STEP_SIZE = 0.001;
  /** Default of {@link #seedLabelWeight()}: the paper's weight 2 (appendix E.2). */
  public static final double DEFAULT_SEED_LABEL_WEIGHT = 2.0;

  /**
   * @throws NullPointerException if the optimizer, schedule, method, solver or init is missing
   * @throws IllegalArgumentException naming the method and the schedules it supports, if it does
   *     not support the schedule
   */
  public TrainingConfig {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(solver, "solver");
    Objects.requireNonNull(init, "init");
    method.checkSchedule(schedule);
  }

  /**
   * @return a builder with the paper's defaults for the settings that have one (method
   *     {@code cce} with its default λ, schedule {@code minibatch}, SGD without momentum, the
   *     default PGD step, seed-label weight 2, the exact solver, a random start, one fit,
   *     temperature 1); {@code k}, {@code epochs}, {@code batchSize}, {@code stepSize},
   *     {@code weightDecay}, {@code emMaxIter}, {@code emTol} and {@code seed} must be set
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return a builder holding this configuration's settings */
  public Builder toBuilder() {
    return new Builder().k(k).lambda(lambda).epochs(epochs).batchSize(batchSize)
        .stepSize(stepSize).weightDecay(weightDecay).optimizer(optimizer).momentum(momentum)
        .emMaxIter(emMaxIter).emTol(emTol).seed(seed).schedule(schedule).method(method)
        .pgdStepSize(pgdStepSize).seedLabelWeight(seedLabelWeight).solver(solver).init(init)
        .restarts(restarts).temperature(temperature);
  }

  /** @return this configuration with another seed-label weight */
  public TrainingConfig withSeedLabelWeight(double weight) {
    return toBuilder().seedLabelWeight(weight).build();
  }

  /** @return this configuration for restart {@code r}: seed {@code seed + r}, one fit */
  public TrainingConfig forRestart(int r) {
    return toBuilder().seed(seed + r).restarts(1).build();
  }

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

  /** @return the method's objective with this configuration's λ and solver settings */
  public SelfLabelingObjective objective() {
    return method.objective(lambda, emMaxIter, emTol, pgdStepSize, solver);
  }

  /** Builds a {@link TrainingConfig} by name; see {@link TrainingConfig#builder()}. */
  public static final class Builder {
    private Integer k;
    private Double lambda;
    private Integer epochs;
    private Integer batchSize;
    private Double stepSize;
    private Double weightDecay;
    private Optimizer.Kind optimizer = Optimizer.Kind.SGD;
    private double momentum;
    private Integer emMaxIter;
    private Double emTol;
    private Long seed;
    private Schedule schedule = Schedule.MINIBATCH;
    private Method method = Method.CCE;
    private double pgdStepSize = DEFAULT_PGD_STEP_SIZE;
    private double seedLabelWeight = DEFAULT_SEED_LABEL_WEIGHT;
    private String solver = DEFAULT_SOLVER;
    private String init = PAPER_INIT;
    private int restarts = 1;
    private double temperature = DEFAULT_TEMPERATURE;

    private Builder() {}

    /** @see TrainingConfig#k() */
    public Builder k(int value) {
      k = value;
      return this;
    }

    /** @see TrainingConfig#lambda(); default: the method's {@link Method#defaultLambda()} */
    public Builder lambda(double value) {
      lambda = value;
      return this;
    }

    /** @see TrainingConfig#epochs() */
    public Builder epochs(int value) {
      epochs = value;
      return this;
    }

    /** @see TrainingConfig#batchSize() */
    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    /** @see TrainingConfig#stepSize() */
    public Builder stepSize(double value) {
      stepSize = value;
      return this;
    }

    /** @see TrainingConfig#weightDecay() */
    public Builder weightDecay(double value) {
      weightDecay = value;
      return this;
    }

    /** @see TrainingConfig#optimizer() */
    public Builder optimizer(Optimizer.Kind value) {
      optimizer = value;
      return this;
    }

    /** @param name an optimiser's name ({@link Optimizer.Kind#of}) */
    public Builder optimizer(String name) {
      return optimizer(Optimizer.Kind.of(name));
    }

    /** @see TrainingConfig#momentum() */
    public Builder momentum(double value) {
      momentum = value;
      return this;
    }

    /** @see TrainingConfig#emMaxIter() */
    public Builder emMaxIter(int value) {
      emMaxIter = value;
      return this;
    }

    /** @see TrainingConfig#emTol() */
    public Builder emTol(double value) {
      emTol = value;
      return this;
    }

    /** @see TrainingConfig#seed() */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** @see TrainingConfig#schedule() */
    public Builder schedule(Schedule value) {
      schedule = value;
      return this;
    }

    /** @param name a schedule's name ({@link Schedule#of}) */
    public Builder schedule(String name) {
      return schedule(Schedule.of(name));
    }

    /** @see TrainingConfig#method() */
    public Builder method(Method value) {
      method = value;
      return this;
    }

    /** @param name a method's name ({@link Method#of}) */
    public Builder method(String name) {
      return method(Method.of(name));
    }

    /** @see TrainingConfig#pgdStepSize() */
    public Builder pgdStepSize(double value) {
      pgdStepSize = value;
      return this;
    }

    /** @see TrainingConfig#seedLabelWeight() */
    public Builder seedLabelWeight(double value) {
      seedLabelWeight = value;
      return this;
    }

    /** @see TrainingConfig#solver() */
    public Builder solver(String value) {
      solver = value;
      return this;
    }

    /** @see TrainingConfig#init() */
    public Builder init(String value) {
      init = value;
      return this;
    }

    /** @see TrainingConfig#restarts() */
    public Builder restarts(int value) {
      restarts = value;
      return this;
    }

    /** @see TrainingConfig#temperature() */
    public Builder temperature(double value) {
      temperature = value;
      return this;
    }

    /**
     * @return the configuration
     * @throws IllegalStateException naming the settings without a default that were not set
     * @throws IllegalArgumentException if the method does not support the schedule
     */
    public TrainingConfig build() {
      List<String> missing = new ArrayList<>();
      String[] names = {"k", "epochs", "batchSize", "stepSize", "weightDecay", "emMaxIter",
          "emTol", "seed"};
      Object[] values = {k, epochs, batchSize, stepSize, weightDecay, emMaxIter, emTol, seed};
      for (int i = 0; i < names.length; i++) {
        if (values[i] == null) {
          missing.add(names[i]);
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("TrainingConfig: not set: " + String.join(", ", missing));
      }
      return new TrainingConfig(k, lambda == null ? method.defaultLambda() : lambda, epochs,
          batchSize, stepSize, weightDecay, optimizer, momentum, emMaxIter, emTol, seed, schedule,
          method, pgdStepSize, seedLabelWeight, solver, init, restarts, temperature);
    }
  }
}
