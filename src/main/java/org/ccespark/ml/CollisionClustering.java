package org.ccespark.ml;

import com.esotericsoftware.kryo.DefaultSerializer;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.ccespark.spark.SelfLabelTrainer;
import org.ccespark.spark.KryoRegistration;
import org.ccespark.spark.TrainingCheckpoint;
import org.ccespark.spark.TrainingConfig;
import org.ccespark.spark.TrainingResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clustering by self-labeling with the collision cross-entropy (Zhang and Boykov, "Collision
 * Cross-entropy for Soft Class Labels and Entropy-based Clustering"): trains a linear softmax
 * classifier {@code σ = softmax(Wᵀf + b)} on fixed feature vectors f by minimising the loss L_CCE+
 * of eq. 11, {@code mean H₂(y, σ) + λ·KL(u‖ȳ)}, alternating EM pseudo-label solves for y with
 * optimizer steps on W and b.
 *
 * <p>The same estimator runs the paper's baselines through the same classifier and training loop:
 * {@link #method()} selects {@code cce} (default), {@code cce-pgd} (PGD on eq. 10), {@code sela},
 * {@code miadm} or {@code migd}. {@link #seedLabelCol()} turns on the semi-supervised mode (paper,
 * section 5.3): rows with a seed label keep it as pseudo-label and add a weighted Shannon
 * cross-entropy ({@link #seedLabelWeight()}, default 2) to the classifier's loss.
 *
 * <pre>{@code
 * CollisionClusteringModel model = new CollisionClustering().setK(10).setSeed(1).fit(df);
 * Dataset<Row> clustered = model.transform(df); // adds "prediction" and "probability"
 * }</pre>
 */
@DefaultSerializer(KryoRegistration.ViaJavaSerialization.class)
public class CollisionClustering extends Estimator<CollisionClusteringModel>
    implements CollisionClusteringParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CollisionClustering.class);

  private final String uid;
  private final Declarations declarations;

  /**
   * Creates an estimator with the given uid and default params (persistence needs this constructor).
   *
   * @param uid unique identifier of this stage
   */
  public CollisionClustering(String uid) {
    this.uid = uid;
    this.declarations = new Declarations(this);
  }

  /** Creates an estimator with a random uid and default params. */
  public CollisionClustering() {
    this(Identifiable.randomUID("CollisionClustering"));
  }

  /** @return the unique identifier of this stage */
  @Override
  public String uid() {
    return uid;
  }

  /** @return this instance's param declarations */
  @Override
  public Declarations declarations() {
    return declarations;
  }

  /**
   * The default param values, {@link #lambda()}'s being the default of the current method: Spark
   * reads every default through this accessor.
   *
   * @return the default param map
   */
  @Override
  public ParamMap defaultParamMap() {
    ParamMap defaults = super.defaultParamMap();
    // null while the declarations are being created (their defaults are being set)
    return declarations == null ? defaults
        : declarations.withMethodDefaults(defaults, paramMap());
  }

  /**
   * @param value see {@link #featuresCol()}
   * @return this estimator
   */
  public CollisionClustering setFeaturesCol(String value) {
    set(featuresCol(), value);
    return this;
  }

  /**
   * @param value see {@link #predictionCol()}
   * @return this estimator
   */
  public CollisionClustering setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  /**
   * @param value see {@link #probabilityCol()}
   * @return this estimator
   */
  public CollisionClustering setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  /**
   * @param value see {@link #k()}
   * @return this estimator
   */
  public CollisionClustering setK(int value) {
    set(k(), value);
    return this;
  }

  /**
   * @param value see {@link #lambda()}
   * @return this estimator
   */
  public CollisionClustering setLambda(double value) {
    set(lambda(), value);
    return this;
  }

  /**
   * @param value see {@link #maxIter()}
   * @return this estimator
   */
  public CollisionClustering setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  /**
   * @param value see {@link #batchSize()}
   * @return this estimator
   */
  public CollisionClustering setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  /**
   * @param value see {@link #stepSize()}
   * @return this estimator
   */
  public CollisionClustering setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  /**
   * @param value see {@link #weightDecay()}
   * @return this estimator
   */
  public CollisionClustering setWeightDecay(double value) {
    set(weightDecay(), value);
    return this;
  }

  /**
   * @param value see {@link #optimizer()}
   * @return this estimator
   */
  public CollisionClustering setOptimizer(String value) {
    set(optimizer(), value);
    return this;
  }

  /**
   * @param value see {@link #momentum()}
   * @return this estimator
   */
  public CollisionClustering setMomentum(double value) {
    set(momentum(), value);
    return this;
  }

  /**
   * @param value see {@link #emMaxIter()}
   * @return this estimator
   */
  public CollisionClustering setEmMaxIter(int value) {
    set(emMaxIter(), value);
    return this;
  }

  /**
   * @param value see {@link #emTol()}
   * @return this estimator
   */
  public CollisionClustering setEmTol(double value) {
    set(emTol(), value);
    return this;
  }

  /** Sets {@link #init()}. */
  public CollisionClustering setInit(String value) {
    set(init(), value);
    return this;
  }

  /** Sets {@link #temperature()}. */
  public CollisionClustering setTemperature(double value) {
    set(temperature(), value);
    return this;
  }

  /** Sets {@link #numRestarts()}. */
  public CollisionClustering setNumRestarts(int value) {
    set(numRestarts(), value);
    return this;
  }

  /** Sets {@link #solver()}. */
  public CollisionClustering setSolver(String value) {
    set(solver(), value);
    return this;
  }

  /**
   * @param value see {@link #seed()}
   * @return this estimator
   */
  public CollisionClustering setSeed(long value) {
    set(seed(), value);
    return this;
  }

  /**
   * @param value see {@link #schedule()}
   * @return this estimator
   */
  public CollisionClustering setSchedule(String value) {
    set(schedule(), value);
    return this;
  }

  /**
   * @param value see {@link #method()}
   * @return this estimator
   */
  public CollisionClustering setMethod(String value) {
    set(method(), value);
    return this;
  }

  /**
   * @param value see {@link #pgdStepSize()}
   * @return this estimator
   */
  public CollisionClustering setPgdStepSize(double value) {
    set(pgdStepSize(), value);
    return this;
  }

  /**
   * @param value see {@link #seedLabelCol()}
   * @return this estimator
   */
  public CollisionClustering setSeedLabelCol(String value) {
    set(seedLabelCol(), value);
    return this;
  }

  /**
   * @param value see {@link #seedLabelWeight()}
   * @return this estimator
   */
  public CollisionClustering setSeedLabelWeight(double value) {
    set(seedLabelWeight(), value);
    return this;
  }

  /**
   * @param value see {@link #checkpointDir()}
   * @return this estimator
   */
  public CollisionClustering setCheckpointDir(String value) {
    set(checkpointDir(), value);
    return this;
  }

  /**
   * @param value see {@link #resume()}
   * @return this estimator
   */
  public CollisionClustering setResume(boolean value) {
    set(resume(), value);
    return this;
  }

  /**
   * @param value see {@link #standardization()}
   * @return this estimator
   */
  public CollisionClustering setStandardization(boolean value) {
    set(standardization(), value);
    return this;
  }

  /**
   * Trains a model on the vectors of {@link #featuresCol()}. The returned model carries a copy of
   * this estimator's params, this estimator as its parent and a {@link CollisionClusteringSummary}.
   *
   * @param dataset training data
   * @return the fitted model
   * @throws IllegalStateException if the training loss is not finite (a loss that never moves is
   *     logged as a warning)
   * @throws IllegalArgumentException if the schema is unsuitable (see {@link #transformSchema}) or a
   *     row holds a null, NaN, infinite or wrong-length vector, a seed label outside
   *     {@code [0, k)}, the method does not support the schedule, {@link #checkpointDir()} is not
   *     empty without {@link #resume()}, or its checkpoint was written with other settings or data
   */
  @Override
  public CollisionClusteringModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    KryoRegistration.check(dataset.sparkSession().sparkContext().conf());
    TrainingConfig config = trainingConfig();
    String seedCol = getSeedLabelCol().isEmpty() ? null : getSeedLabelCol();
    if (seedCol != null) {
      StructField field = Arrays.stream(dataset.schema().fields())
          .filter(f -> f.name().equals(seedCol)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("Seed label column '" + seedCol
              + "' (seedLabelCol) does not exist; available columns: "
              + String.join(", ", dataset.columns())));
      if (!(field.dataType() instanceof NumericType)
          && !field.dataType().equals(org.apache.spark.ml.linalg.SQLDataTypes.VectorType())) {
        throw new IllegalArgumentException("Seed label column '" + seedCol
            + "' must hold class indices (a numeric type) or soft target vectors but was actually "
            + field.dataType().catalogString());
      }
    }
    LOG.info("{}: fitting on column '{}' with {}", uid, getFeaturesCol(), config);
    Dataset<Row> data = dataset.toDF();
    double[] divisors = getStandardization()
        ? Standardization.divisors(data, getFeaturesCol()) : null;
    TrainingResult result;
    try (TrainingCheckpoint checkpoint = getCheckpointDir().isEmpty() ? null
        : TrainingCheckpoint.open(dataset.sparkSession().sparkContext().hadoopConfiguration(),
            getCheckpointDir(), getResume())) {
      if (divisors != null) {
        LOG.info("{}: training on standardized features; columns without variance, left out: {}",
            uid, Standardization.constantColumns(divisors, 20));
        data = Standardization.scaled(data, getFeaturesCol(), divisors);
      }
      result = SelfLabelTrainer.fit(data, getFeaturesCol(), seedCol, config, checkpoint);
    }
    double[] losses = result.lossPerEpoch();
    LOG.info("{}: fitted {} rows of dimension {} into {} clusters in {} s, final loss {}", uid,
        result.numRows(), result.dim(), result.k(), String.format("%.1f", result.seconds()),
        losses.length == 0 ? "n/a" : losses[losses.length - 1]);
    String problem = Standardization.lossProblem(losses, getStandardization());
    if (problem != null && !Arrays.stream(losses).allMatch(Double::isFinite)) {
      throw new IllegalStateException(uid + ": " + problem);
    } else if (problem != null) {
      LOG.warn("{}: {}", uid, problem);
    }
    CollisionClusteringModel model = modelOf(result.weights(), result.bias(), divisors, result);
    List<CollisionClusteringModel> restarts = new ArrayList<>();
    if (result.restartWeights() != null) {
      for (int r = 0; r < result.restartWeights().length; r++) {
        restarts.add(modelOf(result.restartWeights()[r], result.restartBiases()[r], divisors,
            result));
      }
    }
    model.setSummary(new CollisionClusteringSummary(model.transform(dataset), getFeaturesCol(),
        getPredictionCol(), getProbabilityCol(), result, restarts));
    return model;
  }

  /** A model of this estimator's params with classifier W, b (W mapped to the original space). */
  private CollisionClusteringModel modelOf(double[] weights, double[] bias, double[] divisors,
      TrainingResult result) {
    double[] w = divisors == null ? weights
        : Standardization.toOriginalSpace(weights, divisors, result.k());
    return copyValues(new CollisionClusteringModel(uid, result.dim(), result.k(), w, bias),
        ParamMap.empty()).setParent(this);
  }

  /**
   * The training loop's configuration, read from the current params.
   *
   * @throws IllegalArgumentException if the method does not support the schedule
   */
  TrainingConfig trainingConfig() {
    return TrainingConfig.builder().k(getK()).lambda(getLambda()).epochs(getMaxIter())
        .batchSize(getBatchSize()).stepSize(getStepSize()).weightDecay(getWeightDecay())
        .optimizer(getOptimizer()).momentum(getMomentum()).emMaxIter(getEmMaxIter())
        .emTol(getEmTol()).seed(getSeed()).schedule(getSchedule()).method(getMethod())
        .pgdStepSize(getPgdStepSize()).seedLabelWeight(getSeedLabelWeight()).solver(getSolver())
        .init(getInit()).restarts(getNumRestarts()).temperature(getTemperature()).build();
  }

  /**
   * Checks that {@link #featuresCol()} holds vectors and the output columns do not exist yet, and
   * returns the schema with the output columns appended.
   *
   * @param schema input schema
   * @return the output schema of the fitted model's {@code transform}
   * @throws IllegalArgumentException naming the offending column and, for a wrong type, its type
   */
  @Override
  public StructType transformSchema(StructType schema) {
    return Declarations.validateAndTransformSchema(this, schema);
  }

  /**
   * @param extra params overriding this estimator's
   * @return a copy of this estimator with the same uid
   */
  @Override
  public CollisionClustering copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** @return a reader of saved estimators, which rejects paths holding another class */
  public static MLReader<CollisionClustering> read() {
    return new MLReader<>() {
      @Override
      public CollisionClustering load(String path) {
        DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path,
            sparkSession(), CollisionClustering.class.getName());
        CollisionClustering estimator = new CollisionClustering(metadata.uid());
        metadata.getAndSetParams(estimator, metadata.getAndSetParams$default$2());
        return estimator;
      }
    };
  }

  /**
   * Loads an estimator saved with {@code write().save(path)}.
   *
   * @param path where it was saved
   * @return the estimator, with its saved uid and params
   */
  public static CollisionClustering load(String path) {
    return read().load(path);
  }
}
