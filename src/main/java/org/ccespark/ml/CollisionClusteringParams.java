package org.ccespark.ml;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.ccespark.math.Optimizer;
import org.ccespark.selflabel.Method;
import org.ccespark.selflabel.Schedule;
import org.ccespark.spark.FeatureValues;
import org.ccespark.spark.TrainingConfig;

/**
 * The params shared by {@link CollisionClustering} and {@link CollisionClusteringModel}, in the role
 * of MLlib's {@code GaussianMixtureParams} trait.
 *
 * <p>Spark finds params by reflection over public zero-argument methods returning a {@link Param}
 * whose name equals the method's name; the default methods below are those methods. Each
 * implementing class owns one {@link Declarations} object, created with its uid, which is the one
 * place holding every param's name, documentation, validator and default.
 */
public interface CollisionClusteringParams extends Params {

  /** Values accepted by {@link #optimizer()}: the names of {@link Optimizer.Kind}. */
  List<String> OPTIMIZERS = Optimizer.Kind.names();

  /** Values accepted by {@link #schedule()}: the names of {@link Schedule}. */
  List<String> SCHEDULES = Schedule.names();

  /**
   * The clustering values of {@link #method()}: the names of {@link Method#clusteringMethods()},
   * kept as a constant for callers of the estimator's API.
   */
  List<String> METHODS = Method.clusteringNames();

  /**
   * Every value {@link #method()} accepts, the names of {@link Method}: {@link #METHODS} and the
   * supervised objectives {@code supervised-collision}, {@code supervised-shannon} (Figure 2: every
   * row needs a soft target vector in {@link #seedLabelCol()}).
   */
  List<String> ALL_METHODS = Method.names();

  /**
   * Default of {@link #seed()}: the hash of the estimator's class name, as Spark's {@code HasSeed}
   * does, so it is fixed across runs and equal for the estimator and its model.
   */
  long DEFAULT_SEED = CollisionClustering.class.getName().hashCode();

  /**
   * The param objects owned by this instance (an implementation hook for the accessors below; call
   * {@link #k()}, {@link #lambda()} and so on instead).
   *
   * @return this instance's declarations, never null
   */
  Declarations declarations();

  /**
   * Input column of feature vectors of length D: {@code Vector}, {@code array<double>} or
   * {@code array<float>}, as MLlib's clustering estimators accept. Default {@code "features"}.
   *
   * @return the param
   */
  default Param<String> featuresCol() {
    return declarations().featuresCol;
  }

  /**
   * Output column of the most probable cluster, an integer in {@code [0, k)}. Default
   * {@code "prediction"}; an empty name leaves the column out.
   *
   * @return the param
   */
  default Param<String> predictionCol() {
    return declarations().predictionCol;
  }

  /**
   * Output column of the cluster probabilities σ, a dense {@code Vector} of length k. Default
   * {@code "probability"}; an empty name leaves the column out.
   *
   * @return the param
   */
  default Param<String> probabilityCol() {
    return declarations().probabilityCol;
  }

  /**
   * Number of clusters K, at least 2. Default 10.
   *
   * @return the param
   */
  default IntParam k() {
    return declarations().k;
  }

  /**
   * The method's λ ≥ 0. For {@code cce} the weight of the fairness term {@code λ·KL(u‖ȳ)} of the loss
   * L_CCE+ (eq. 11), which keeps clusters from collapsing; for {@code cce-pgd}, {@code miadm} the
   * weight of {@code KL(ȳ‖u)} (eq. 10, 5); for {@code migd} the weight of {@code -H(σ̄)} (eq. 1);
   * for {@code sela} the inverse entropic regularisation of its optimal transport. Its default is
   * the method's ({@link Method#defaultLambda}): 100 for {@code cce} and
   * {@code cce-pgd}, 25 for {@code sela}, 1 for {@code miadm} and {@code migd}, 0 for the
   * supervised methods. The param's default follows {@link #method()} (the owner's
   * {@code defaultParamMap()} brings it up to date whenever it is read), so {@link #getLambda()},
   * {@code getOrDefault(lambda())}, {@code extractParamMap}, {@code explainParams}, copies and
   * saved metadata all give the same value.
   *
   * @return the param
   */
  default DoubleParam lambda() {
    return declarations().lambda;
  }

  /**
   * Number of training epochs (passes over the data), at least 1. Default 10.
   *
   * @return the param
   */
  default IntParam maxIter() {
    return declarations().maxIter;
  }

  /**
   * Global mini-batch size of the classifier's steps (both schedules), at least 1. Default 250.
   *
   * @return the param
   */
  default IntParam batchSize() {
    return declarations().batchSize;
  }

  /**
   * Learning rate of the optimizer, greater than 0. Default 0.1.
   *
   * @return the param
   */
  default DoubleParam stepSize() {
    return declarations().stepSize;
  }

  /**
   * L2 coefficient on the classifier weights W, at least 0. Default 0.001.
   *
   * @return the param
   */
  default DoubleParam weightDecay() {
    return declarations().weightDecay;
  }

  /**
   * Optimizer of the classifier: {@code sgd} or {@code adam}. Default {@code sgd}.
   *
   * @return the param
   */
  default Param<String> optimizer() {
    return declarations().optimizer;
  }

  /**
   * Momentum of SGD, in {@code [0, 1)}; 0 is plain SGD. Default 0.
   *
   * @return the param
   */
  default DoubleParam momentum() {
    return declarations().momentum;
  }

  /**
   * Maximum EM iterations of one pseudo-label solve, at least 1. Default 1000: with the fairness
   * weight of eq. 11 at λ = 100 each EM iteration moves y by about 1/λ, so EM needs hundreds of
   * iterations; in the {@code fulldata} schedule each iteration is one pass (one Spark job).
   *
   * @return the param
   */
  default IntParam emMaxIter() {
    return declarations().emMaxIter;
  }

  /**
   * EM stops once no pseudo-label entry moves by more than this in an iteration, greater than 0.
   * Default 1e-5.
   *
   * @return the param
   */
  default DoubleParam emTol() {
    return declarations().emTol;
  }

  /**
   * Pseudo-label solver of {@code cce} (eq. 11): {@code exact} (default: the certified optimum,
   * {@code math.ExactPseudoLabels}, with SQUAREM EM where it is not within 1e-6 of it),
   * {@code squarem} (the paper's EM with squared extrapolation) or {@code em} (the paper's plain
   * EM). {@code emMaxIter} and {@code emTol} bound the two EM solvers (and the exact solver's
   * fallback).
   *
   * @return the param
   */
  default Param<String> solver() {
    return declarations().solver;
  }

  /**
   * The classifier's start: {@code kmeans} (the nearest-centroid rule of MLlib K-means' centroids
   * fitted with the same seed) or {@code random} (Kaiming-uniform W, zero b; the paper's). Default
   * {@code kmeans}, by measurement: on the strong-feature benchmark ACC 0.82 with all 10 clusters
   * used against 0.63 with three left empty from {@code random} (seed 1), on the demo digits 0.60
   * and 0.52 against 0.45 and 0.50 (seeds 1, 2).
   *
   * @return the param
   */
  default Param<String> init() {
    return declarations().init;
  }

  /**
   * The classifier's softmax temperature in the first epoch, lowered geometrically to 1 in the
   * last: epoch {@code e} of {@code E} trains {@code σ = softmax(z / T_e)} with
   * {@code T_e = temperature^((E−1−e)/(E−1))} (pseudo-labels and loss alike; one epoch: 1). A
   * softer σ early keeps the fairness term's balance in argmax y: with a confident σ, eq. 11's
   * optimum meets the balance by spreading a small share of a weak cluster over many rows (the
   * collision cross-entropy is convex in y), which the classifier, trained towards argmax y,
   * ignores, so the cluster can die (see docs/results.md). At least 1; default 1 (the paper's
   * training). The fitted model predicts at temperature 1.
   *
   * @return the param
   */
  default DoubleParam temperature() {
    return declarations().temperature;
  }

  /**
   * Number of fits from different starts (seeds {@code seed, seed+1, ...}) on the same cached
   * data; the fit with the lowest final full-data loss is kept ({@code cce}: {@code L_CCE+} of
   * eq. 11 over all rows, pseudo-labels solved exactly; other methods: the last epoch's loss), as
   * K-means' {@code n_init}. At least 1; default 1. Not with {@link #checkpointDir()}.
   *
   * @return the param
   */
  default IntParam numRestarts() {
    return declarations().numRestarts;
  }

  /**
   * Random seed of the initialisation and the batch order. Default {@link #DEFAULT_SEED}.
   *
   * @return the param
   */
  default LongParam seed() {
    return declarations().seed;
  }

  /**
   * Training schedule. {@code minibatch} (Algorithm 2): per optimizer step, each partition runs EM
   * on its share of the global mini-batch starting from σ. {@code fulldata}: per epoch, EM over all
   * rows (one pass per EM iteration, fairness over the whole data), then an epoch of mini-batch
   * steps with those pseudo-labels fixed. See {@link org.ccespark.spark.SelfLabelTrainer}.
   * Default {@code minibatch}.
   *
   * @return the param
   */
  default Param<String> schedule() {
    return declarations().schedule;
  }

  /**
   * The self-labeling objective: {@code cce} (collision cross-entropy, EM on eq. 11), {@code cce-pgd}
   * (PGD on eq. 10), {@code sela} (Asano et al. 2020), {@code miadm} (Jabi et al. 2021) or
   * {@code migd} (Krause et al. 2010); see {@link Method} and docs/methods.md. All
   * train the same linear classifier with the same loop. Only {@code cce} supports
   * the {@code fulldata} schedule. Default {@code cce}.
   *
   * @return the param
   */
  default Param<String> method() {
    return declarations().method;
  }

  /**
   * Step size of projected gradient descent on the pseudo-labels ({@code cce-pgd} only), on the
   * summed loss {@code M·L_CCE} (the paper's step on the mean loss divided by M), greater than 0.
   * Default 0.001.
   *
   * @return the param
   */
  default DoubleParam pgdStepSize() {
    return declarations().pgdStepSize;
  }

  /**
   * Semi-supervised mode (paper, section 5.3 and E.2): a column of class indices in
   * {@code [0, k)} (any numeric type), null for unlabelled rows. Labelled rows keep their label as
   * pseudo-label and add {@code seedLabelWeight · H(label, σ)} to the classifier's loss; every
   * method supports it. Only {@code fit} reads it. Default empty: no seed labels.
   *
   * @return the param
   */
  default Param<String> seedLabelCol() {
    return declarations().seedLabelCol;
  }

  /**
   * Weight of the Shannon cross-entropy on the rows of {@link #seedLabelCol()}, at least 0.
   * Default 2 (the paper's). The supervised methods do not use it: their loss is the
   * cross-entropy with the targets alone.
   *
   * @return the param
   */
  default DoubleParam seedLabelWeight() {
    return declarations().seedLabelWeight;
  }

  /**
   * Folder (local, {@code hdfs://}, ...) where {@code fit} writes a checkpoint after every epoch: W
   * and b, the optimizer's state, the finished epochs' loss, the run's fingerprint and, for the
   * {@code fulldata} schedule, the pseudo-labels ({@link org.ccespark.spark.TrainingCheckpoint}).
   * Without {@link #resume()} it must be missing or empty. Only {@code fit} reads it. Default empty:
   * no checkpoints.
   *
   * @return the param
   */
  default Param<String> checkpointDir() {
    return declarations().checkpointDir;
  }

  /**
   * Whether {@code fit} continues from the latest checkpoint in {@link #checkpointDir()} (from the
   * first epoch if there is none yet); refused, naming the setting, if that checkpoint was written
   * with other settings or data. Default false.
   *
   * @return the param
   */
  default BooleanParam resume() {
    return declarations().resume;
  }

  /**
   * Whether {@code fit} trains on rescaled features, the model then converted back to the original
   * feature space (as MLlib's {@code LogisticRegression} does), so {@code transform} takes the
   * features as they are. The divisors ({@code math.ColumnScales#robustDivisors}, powers of two,
   * so the conversion is exact; not centred; a column without variance is left out and gets zero
   * weights) bring the typical column's standard deviation to scale 1 when it is outside
   * [1/16, 16] and bring any column more than 16 times the typical one to its scale: the fit does not depend
   * on the features' scale (×1e-300 to ×1e9, one column ×1e19), and data already at scale 1 is
   * trained as given (full per-column standardization cost 0.1 of accuracy on pixels). Default
   * true.
   *
   * @return the param
   */
  default BooleanParam standardization() {
    return declarations().standardization;
  }

  /** @return the value of {@link #standardization()} */
  default boolean getStandardization() {
    return (Boolean) getOrDefault(standardization());
  }

  /** @return the value of {@link #checkpointDir()} */
  default String getCheckpointDir() {
    return getOrDefault(checkpointDir());
  }

  /** @return the value of {@link #resume()} */
  default boolean getResume() {
    return (Boolean) getOrDefault(resume());
  }

  /** @return the value of {@link #method()} */
  default String getMethod() {
    return getOrDefault(method());
  }

  /** @return the value of {@link #pgdStepSize()} */
  default double getPgdStepSize() {
    return (Double) getOrDefault(pgdStepSize());
  }

  /** @return the value of {@link #seedLabelCol()} */
  default String getSeedLabelCol() {
    return getOrDefault(seedLabelCol());
  }

  /** @return the value of {@link #seedLabelWeight()} */
  default double getSeedLabelWeight() {
    return (Double) getOrDefault(seedLabelWeight());
  }

  /** @return the value of {@link #featuresCol()} */
  default String getFeaturesCol() {
    return getOrDefault(featuresCol());
  }

  /** @return the value of {@link #predictionCol()} */
  default String getPredictionCol() {
    return getOrDefault(predictionCol());
  }

  /** @return the value of {@link #probabilityCol()} */
  default String getProbabilityCol() {
    return getOrDefault(probabilityCol());
  }

  /** @return the value of {@link #k()} */
  default int getK() {
    return (Integer) getOrDefault(k());
  }

  /**
   * @return the value of {@link #lambda()}: if not set, the default of {@link #getMethod()}
   *     ({@link Method#defaultLambda})
   */
  default double getLambda() {
    return (Double) getOrDefault(lambda());
  }

  /** @return the value of {@link #maxIter()} */
  default int getMaxIter() {
    return (Integer) getOrDefault(maxIter());
  }

  /** @return the value of {@link #batchSize()} */
  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  /** @return the value of {@link #stepSize()} */
  default double getStepSize() {
    return (Double) getOrDefault(stepSize());
  }

  /** @return the value of {@link #weightDecay()} */
  default double getWeightDecay() {
    return (Double) getOrDefault(weightDecay());
  }

  /** @return the value of {@link #optimizer()} */
  default String getOptimizer() {
    return getOrDefault(optimizer());
  }

  /** @return the value of {@link #momentum()} */
  default double getMomentum() {
    return (Double) getOrDefault(momentum());
  }

  /** @return the value of {@link #emMaxIter()} */
  default int getEmMaxIter() {
    return (Integer) getOrDefault(emMaxIter());
  }

  /** @return the value of {@link #init()} */
  default String getInit() {
    return getOrDefault(init());
  }

  /** @return the value of {@link #temperature()} */
  default double getTemperature() {
    return (Double) getOrDefault(temperature());
  }

  /** @return the value of {@link #numRestarts()} */
  default int getNumRestarts() {
    return (Integer) getOrDefault(numRestarts());
  }

  /** @return the value of {@link #solver()} */
  default String getSolver() {
    return getOrDefault(solver());
  }

  /** @return the value of {@link #emTol()} */
  default double getEmTol() {
    return (Double) getOrDefault(emTol());
  }

  /** @return the value of {@link #seed()} */
  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  /** @return the value of {@link #schedule()} */
  default String getSchedule() {
    return getOrDefault(schedule());
  }

  /**
   * The {@link Param} objects of one owner, with their documentation, validators and defaults: the
   * one place where the params are declared. Created by the owner's constructor once its uid is
   * known; opaque outside this package.
   */
  final class Declarations implements Serializable {
    private static final long serialVersionUID = 1L;

    final Param<String> featuresCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final IntParam k;
    final DoubleParam lambda;
    final IntParam maxIter;
    final IntParam batchSize;
    final DoubleParam stepSize;
    final DoubleParam weightDecay;
    final Param<String> optimizer;
    final DoubleParam momentum;
    final IntParam emMaxIter;
    final DoubleParam emTol;
    final Param<String> solver;
    final Param<String> init;
    final IntParam numRestarts;
    final DoubleParam temperature;
    final LongParam seed;
    final Param<String> schedule;
    final Param<String> method;
    final DoubleParam pgdStepSize;
    final Param<String> seedLabelCol;
    final DoubleParam seedLabelWeight;
    final Param<String> checkpointDir;
    final BooleanParam resume;
    final BooleanParam standardization;

    /** Declares the params of {@code owner} (whose uid must already be set) and their defaults. */
    Declarations(Params owner) {
      featuresCol = new Param<>(owner, "featuresCol",
          "features column name (Vector, array<double> or array<float> of length D)");
      predictionCol = new Param<>(owner, "predictionCol",
          "prediction column name (most probable cluster, int in [0, k)); empty to omit");
      probabilityCol = new Param<>(owner, "probabilityCol",
          "cluster probabilities column name (Vector of length k); empty to omit");
      k = new IntParam(owner, "k", "number of clusters (>= 2)", ParamValidators.gtEq(2));
      lambda = new DoubleParam(owner, "lambda",
          "the method's lambda (>= 0): for cce the weight of the fairness term lambda*KL(u||mean y)"
              + " of the loss L_CCE+ (eq. 11); cce-pgd, miadm: weight of KL(mean y||u); migd:"
              + " weight of -H(mean sigma); sela: inverse entropic regularisation. Unset: the"
              + " method's default (" + Method.defaultLambdas() + ")",
          finite(ParamValidators.gtEq(0)));
      maxIter = new IntParam(owner, "maxIter", "number of training epochs (>= 1)",
          ParamValidators.gtEq(1));
      batchSize = new IntParam(owner, "batchSize",
          "global mini-batch size of the classifier's steps, both schedules (>= 1)", ParamValidators.gtEq(1));
      stepSize = new DoubleParam(owner, "stepSize", "learning rate of the optimizer (> 0)",
          finite(ParamValidators.gt(0)));
      weightDecay = new DoubleParam(owner, "weightDecay",
          "L2 coefficient on the classifier weights (>= 0)",
          finite(ParamValidators.gtEq(0)));
      optimizer = new Param<>(owner, "optimizer",
          "optimizer of the classifier; supported: " + String.join(", ", OPTIMIZERS),
          ParamValidators.inArray(OPTIMIZERS));
      momentum = new DoubleParam(owner, "momentum", "SGD momentum, 0 = plain SGD (in [0, 1))",
          ParamValidators.inRange(0, 1, true, false));
      emMaxIter = new IntParam(owner, "emMaxIter",
          "maximum EM iterations per pseudo-label solve (>= 1)", ParamValidators.gtEq(1));
      emTol = new DoubleParam(owner, "emTol",
          "EM stops when no pseudo-label entry moved by more than this (> 0)",
          finite(ParamValidators.gt(0)));
      solver = new Param<>(owner, "solver",
          "pseudo-label solver of cce: exact (the certified optimum of eq. 11, EM where it is not"
              + " within 1e-6), squarem (EM with squared extrapolation) or em (the paper's plain EM);"
              + " supported: " + String.join(", ", org.ccespark.selflabel.CollisionEm.SOLVERS),
          ParamValidators.inArray(org.ccespark.selflabel.CollisionEm.SOLVERS.toArray(new String[0])));
      init = new Param<>(owner, "init",
          "the classifier's start: random (Kaiming-uniform W, zero b) or kmeans (nearest-centroid"
              + " rule of MLlib K-means' centroids, fitted on a sample of about 100,000 rows"
              + " where there are more); supported: "
              + String.join(", ", TrainingConfig.INITS),
          ParamValidators.inArray(TrainingConfig.INITS.toArray(new String[0])));
      numRestarts = new IntParam(owner, "numRestarts",
          "fits from seeds seed, seed+1, ...; the one with the lowest final full-data loss is"
              + " kept (>= 1)", ParamValidators.gtEq(1));
      temperature = new DoubleParam(owner, "temperature",
          "softmax temperature of the classifier in the first epoch, lowered geometrically to 1 in"
              + " the last (>= 1; 1 = the paper's training)",
          finite(ParamValidators.gtEq(1)));
      seed = new LongParam(owner, "seed", "random seed of initialisation and batch order");
      schedule = new Param<>(owner, "schedule",
          "training schedule: minibatch (EM on each mini-batch, Algorithm 2) or fulldata (EM on"
              + " all rows once per epoch, then mini-batch steps); supported: " + String.join(", ", SCHEDULES),
          ParamValidators.inArray(SCHEDULES));

      method = new Param<>(owner, "method",
          "self-labeling objective, all training the same linear classifier: cce (EM on eq. 11),"
              + " cce-pgd (PGD on eq. 10), sela (Sinkhorn optimal transport, Asano et al. 2020),"
              + " miadm (Jabi et al. 2021, eq. 5), migd (mutual information by gradient descent,"
              + " Krause et al. 2010); supervised-collision, supervised-shannon: supervised"
              + " training on the soft target vectors of seedLabelCol (Figure 2); supported: "
              + String.join(", ", ALL_METHODS),
          ParamValidators.inArray(ALL_METHODS));
      pgdStepSize = new DoubleParam(owner, "pgdStepSize",
          "step size of projected gradient descent on the pseudo-labels, cce-pgd only (> 0)",
          finite(ParamValidators.gt(0)));
      seedLabelCol = new Param<>(owner, "seedLabelCol",
          "column of seed labels (class index in [0, k), null = unlabelled) for the"
              + " semi-supervised mode; empty for none");
      seedLabelWeight = new DoubleParam(owner, "seedLabelWeight",
          "weight of the mean Shannon cross-entropy over the seed-labelled rows in semi-supervised"
              + " mode (>= 0; not used by the supervised methods)",
          finite(ParamValidators.gtEq(0)));
      checkpointDir = new Param<>(owner, "checkpointDir",
          "folder for a checkpoint after every epoch (any Hadoop file system); empty for none");
      resume = new BooleanParam(owner, "resume",
          "continue from the latest checkpoint in checkpointDir (settings and data must match)");
      standardization = new BooleanParam(owner, "standardization",
          "train on features brought to scale 1 (typical column standard deviation to 1 when"
              + " outside [1/16, 16], a column over 16 times the typical one to its scale; powers of two, not"
              + " centred, constant columns left out), the model converted back to the original"
              + " feature space");

      owner.setDefault(featuresCol, "features");
      owner.setDefault(predictionCol, "prediction");
      owner.setDefault(probabilityCol, "probability");
      owner.setDefault(k, 10);
      owner.setDefault(lambda, Method.CCE.defaultLambda());
      owner.setDefault(maxIter, 10);
      owner.setDefault(batchSize, 250);
      owner.setDefault(stepSize, 0.1);
      owner.setDefault(weightDecay, 0.001);
      owner.setDefault(optimizer, Optimizer.Kind.SGD.id());
      owner.setDefault(momentum, 0.0);
      owner.setDefault(emMaxIter, 1000);
      owner.setDefault(emTol, 1e-5);
      owner.setDefault(solver, TrainingConfig.DEFAULT_SOLVER);
      owner.setDefault(init, TrainingConfig.DEFAULT_INIT);
      owner.setDefault(numRestarts, 1);
      owner.setDefault(temperature, TrainingConfig.DEFAULT_TEMPERATURE);
      owner.setDefault(seed, DEFAULT_SEED);
      owner.setDefault(schedule, Schedule.MINIBATCH.id());
      owner.setDefault(method, Method.CCE.id());
      owner.setDefault(pgdStepSize, TrainingConfig.DEFAULT_PGD_STEP_SIZE);
      owner.setDefault(seedLabelCol, "");
      owner.setDefault(seedLabelWeight, TrainingConfig.DEFAULT_SEED_LABEL_WEIGHT);
      owner.setDefault(checkpointDir, "");
      owner.setDefault(resume, false);
      owner.setDefault(standardization, true);
    }

    /**
     * The owner's defaults with {@link #lambda}'s default that of the owner's current method, the
     * one source of method-dependent defaults ({@link Method#defaultLambda}). Called
     * by the owner's {@code defaultParamMap()}, through which Spark reads every default
     * ({@code getOrDefault}, {@code extractParamMap}, {@code copyValues}, persistence); it updates
     * {@code defaults} in place, only when the value changes.
     *
     * @param defaults the owner's default param map
     * @param values the owner's set params
     * @return {@code defaults}
     */
    ParamMap withMethodDefaults(ParamMap defaults, ParamMap values) {
      scala.Option<String> set = values.get(method);
      String current = set.isDefined() ? set.get() : defaults.apply(method);
      double wanted = Method.of(current).defaultLambda();
      scala.Option<Object> old = defaults.get(lambda);
      if (old.isEmpty() || (Double) old.get() != wanted) {
        defaults.put(lambda, wanted);
      }
      return defaults;
    }

    /** A validator of a double param: finite (so not NaN or ±∞) and accepted by {@code range}. */
    private static scala.Function1<Object, Object> finite(scala.Function1<Object, Object> range) {
      return new Finite(range);
    }

    /**
     * The validator of {@link #finite}: a named serializable class, not a lambda, so that the
     * params (and the estimator and model holding them) survive Java serialization, broadcasts
     * and closures.
     */
    private static final class Finite extends scala.runtime.AbstractFunction1<Object, Object>
        implements Serializable {
      private static final long serialVersionUID = 1L;
      private final scala.Function1<Object, Object> range;

      Finite(scala.Function1<Object, Object> range) {
        this.range = range;
      }

      @Override
      public Object apply(Object value) {
        return value instanceof Double d && Double.isFinite(d) && (Boolean) range.apply(d);
      }
    }

    /**
     * Checks the input schema and appends the output columns, as MLlib's
     * {@code validateAndTransformSchema}: the features column must exist and hold vectors, and the
     * (non-empty) output columns must not exist yet.
     *
     * @throws IllegalArgumentException naming the offending column
     */
    static StructType validateAndTransformSchema(CollisionClusteringParams p, StructType schema) {
      String features = p.getFeaturesCol();
      List<String> names = Arrays.asList(schema.fieldNames());
      if (!names.contains(features)) {
        throw new IllegalArgumentException("Features column '" + features
            + "' does not exist; available columns: " + String.join(", ", names));
      }
      DataType actual = schema.apply(features).dataType();
      if (!FeatureValues.accepts(actual)) {
        throw new IllegalArgumentException("Features column '" + features
            + "' must be of type " + FeatureValues.TYPES + " but was actually "
            + actual.catalogString());
      }
      if (!p.getPredictionCol().isEmpty() && p.getPredictionCol().equals(p.getProbabilityCol())) {
        throw new IllegalArgumentException("predictionCol and probabilityCol are both '"
            + p.getPredictionCol() + "'; give them different names");
      }
      // column metadata as MLlib's clustering models write it: the probabilities a vector
      // attribute group of size k, the prediction a nominal attribute with k values
      int k = p.getK();
      String probability = p.getProbabilityCol();
      String prediction = p.getPredictionCol();
      StructType out = schema;
      out = appendOutput(out, names, "probabilityCol", probability, SQLDataTypes.VectorType(),
          () -> new AttributeGroup(probability, k).toMetadata());
      out = appendOutput(out, names, "predictionCol", prediction, DataTypes.IntegerType,
          () -> NominalAttribute.defaultAttr().withName(prediction).withNumValues(k).toMetadata());
      return out;
    }

    private static StructType appendOutput(StructType schema, List<String> existing, String param,
        String column, DataType type, java.util.function.Supplier<Metadata> metadata) {
      if (column.isEmpty()) {
        return schema;
      }
      if (existing.contains(column)) {
        throw new IllegalArgumentException("Output column '" + column + "' (" + param
            + ") already exists; set " + param + " to another name");
      }
      return schema.add(new StructField(column, type, true, metadata.get()));
    }
  }
}
