package org.ccespark.ml;

import com.esotericsoftware.kryo.DefaultSerializer;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.math.LinearSoftmax;
import org.ccespark.math.Softmax;
import org.ccespark.spark.FeatureValues;
import org.ccespark.spark.KryoRegistration;

/**
 * A fitted {@link CollisionClustering}: the linear softmax classifier {@code σ = softmax(Wᵀf + b)}
 * with W of size D×K and b of length K. {@link #transform} adds the most probable cluster
 * ({@link #predictionCol()}, ties going to the lowest index) and σ ({@link #probabilityCol()}).
 *
 * <p>Saved as MLlib metadata (params, uid) plus one Parquet row {@code (dim, k, weights, bias)} under
 * {@code path/data}, with {@code weights} row-major D×K ({@code weights[d*K + k]}).
 */
@DefaultSerializer(KryoRegistration.ViaJavaSerialization.class)
public class CollisionClusteringModel extends Model<CollisionClusteringModel>
    implements CollisionClusteringParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Declarations declarations;
  private final int dim;
  private final int numClusters;
  private final double[] weights;
  private final double[] bias;
  /** The fit's summary; not serialized (a broadcast or deserialized model has none). */
  private transient CollisionClusteringSummary summary;

  /**
   * Creates a model from its parameters; params other than {@link #k()} keep their defaults.
   *
   * @param uid unique identifier (a fitted model shares its estimator's)
   * @param dim feature dimension D, at least 1
   * @param k number of clusters K, at least 2
   * @param weights W, row-major D×K ({@code weights[d*K + k]}); copied
   * @param bias b, length K; copied
   * @throws IllegalArgumentException if the sizes do not agree
   */
  public CollisionClusteringModel(String uid, int dim, int k, double[] weights, double[] bias) {
    this.uid = uid;
    this.declarations = new Declarations(this);
    if (dim < 1 || k < 2) {
      throw new IllegalArgumentException("need dim >= 1 and k >= 2, got dim=" + dim + ", k=" + k);
    }
    if (weights.length != (long) dim * k || bias.length != k) {
      throw new IllegalArgumentException("weights must have dim*k = " + (long) dim * k
          + " entries and bias k = " + k + ", got " + weights.length + " and " + bias.length);
    }
    this.dim = dim;
    this.numClusters = k;
    this.weights = weights.clone();
    this.bias = bias.clone();
    set(k(), k);
  }

  /** @return the unique identifier of this model */
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
   * @return this model
   */
  public CollisionClusteringModel setFeaturesCol(String value) {
    set(featuresCol(), value);
    return this;
  }

  /**
   * @param value see {@link #predictionCol()}
   * @return this model
   */
  public CollisionClusteringModel setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  /**
   * @param value see {@link #probabilityCol()}
   * @return this model
   */
  public CollisionClusteringModel setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  /** @return the feature dimension D the model expects */
  public int numFeatures() {
    return dim;
  }

  /** @return a copy of W, row-major D×K ({@code weights[d*K + k]}) */
  public double[] weights() {
    return weights.clone();
  }

  /** @return a copy of the bias b, length K */
  public double[] bias() {
    return bias.clone();
  }

  /**
   * W transposed as a K×D matrix (one row per cluster, like MLlib's
   * {@code LogisticRegressionModel.coefficientMatrix}), so the logits are {@code M f + b}.
   *
   * @return a new dense K×D matrix
   */
  public Matrix weightsMatrix() {
    // Column-major K×D storage of Wᵀ is exactly the row-major D×K storage of W.
    return new DenseMatrix(numClusters, dim, weights.clone());
  }

  /**
   * Cluster probabilities σ of one feature vector.
   *
   * @param features vector of length {@link #numFeatures()}
   * @return a dense vector of length K summing to 1
   * @throws IllegalArgumentException if the vector is null or has the wrong length
   */
  public Vector predictProbability(Vector features) {
    return Vectors.dense(probabilities(features, dim, numClusters, weights, bias));
  }

  /**
   * Most probable cluster of one feature vector (ties go to the lowest index).
   *
   * @param features vector of length {@link #numFeatures()}
   * @return the cluster index in {@code [0, K)}
   * @throws IllegalArgumentException if the vector is null or has the wrong length
   */
  public int predict(Vector features) {
    return argmax(probabilities(features, dim, numClusters, weights, bias));
  }

  /**
   * Appends the prediction and probability columns (those with a non-empty name).
   *
   * @param dataset data with a feature column {@link #featuresCol()} (vector, {@code array<double>}
   *     or {@code array<float>})
   * @return the data with the output columns
   * @throws IllegalArgumentException for an unsuitable schema; a vector of the wrong length fails
   *     the Spark job with an {@code IllegalArgumentException} cause naming both lengths
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema(), true);
    Dataset<Row> out = dataset.toDF();
    Column features = out.col(getFeaturesCol());
    String probabilityCol = getProbabilityCol();
    String predictionCol = getPredictionCol();
    if (!probabilityCol.isEmpty()) {
      out = out.withColumn(probabilityCol, probabilityUdf(dim, numClusters, weights, bias)
          .apply(features), schema.apply(probabilityCol).metadata());
    }
    if (!predictionCol.isEmpty()) {
      Column prediction = probabilityCol.isEmpty()
          ? predictionUdf(dim, numClusters, weights, bias).apply(features)
          : argmaxUdf().apply(out.col(probabilityCol));
      out = out.withColumn(predictionCol, prediction, schema.apply(predictionCol).metadata());
    }
    return out;
  }

  /**
   * Checks the schema as {@link CollisionClustering#transformSchema} does.
   *
   * @param schema input schema
   * @return the schema with the output columns appended
   */
  @Override
  public StructType transformSchema(StructType schema) {
    return Declarations.validateAndTransformSchema(this, schema);
  }

  /**
   * @param extra params overriding this model's
   * @return a copy with the same uid, W, b, parent and summary
   */
  @Override
  public CollisionClusteringModel copy(ParamMap extra) {
    CollisionClusteringModel copied = copyValues(
        new CollisionClusteringModel(uid, dim, numClusters, weights, bias), extra);
    copied.summary = summary;
    return copied.setParent(parent());
  }

  /**
   * @return whether this model has a training summary (only models returned by {@code fit}, not
   *     loaded, deserialized or broadcast ones)
   */
  public boolean hasSummary() {
    return summary != null;
  }

  /**
   * @return the summary of the fit that produced this model
   * @throws IllegalStateException if there is none (a loaded or directly constructed model)
   */
  public CollisionClusteringSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("No training summary available for " + uid
          + ": only a model returned by CollisionClustering.fit has one (not a loaded model)");
    }
    return summary;
  }

  void setSummary(CollisionClusteringSummary summary) {
    this.summary = summary;
  }

  /** @return a writer saving params and W, b; {@code write().overwrite()} replaces an old save */
  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** @return a reader of saved models */
  public static MLReader<CollisionClusteringModel> read() {
    return new Reader();
  }

  /**
   * Loads a model saved with {@code write().save(path)}.
   *
   * @param path where it was saved
   * @return the model, with its saved uid, params, W and b (and no summary)
   */
  public static CollisionClusteringModel load(String path) {
    return read().load(path);
  }

  /** @return a one-line description: uid, K and D */
  @Override
  public String toString() {
    return "CollisionClusteringModel: uid=" + uid + ", k=" + numClusters + ", numFeatures=" + dim;
  }

  // ---- per-row scoring, static so that the UDF closures capture only W, b and sizes ----

  /** σ of one cell of the features column: a {@code Vector} or an array of doubles or floats. */
  private static double[] probabilities(Object features, int dim, int k, double[] w, double[] b) {
    if (features == null) {
      throw new IllegalArgumentException(
          "Null feature vector; the model expects vectors of length " + dim);
    }
    double[] x;
    try {
      x = FeatureValues.values(features);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Feature vector " + e.getMessage()
          + "; the model expects vectors of length " + dim);
    }
    if (x.length != dim) {
      throw new IllegalArgumentException("Feature vector has length " + x.length
          + " but the model expects length " + dim);
    }
    double[] out = new double[k];
    LinearSoftmax.probabilities(w, b, dim, k, x, 0, 1, out);
    return out;
  }

  private static int argmax(double[] p) {
    return Softmax.argmax(p, 0, p.length);
  }

  private static UserDefinedFunction probabilityUdf(int dim, int k, double[] w, double[] b) {
    return functions.udf(
        (UDF1<Object, Vector>) v -> Vectors.dense(probabilities(v, dim, k, w, b)),
        SQLDataTypes.VectorType());
  }

  private static UserDefinedFunction predictionUdf(int dim, int k, double[] w, double[] b) {
    return functions.udf((UDF1<Object, Integer>) v -> argmax(probabilities(v, dim, k, w, b)),
        DataTypes.IntegerType);
  }

  private static UserDefinedFunction argmaxUdf() {
    return functions.udf((UDF1<Vector, Integer>) p -> argmax(p.toArray()), DataTypes.IntegerType);
  }

  // ---- persistence ----

  private static final StructType DATA_SCHEMA = new StructType()
      .add("dim", DataTypes.IntegerType, false)
      .add("k", DataTypes.IntegerType, false)
      .add("weights", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("bias", DataTypes.createArrayType(DataTypes.DoubleType, false), false);

  /** Writes metadata as MLlib does and the model data as one Parquet row under {@code path/data}. */
  private static final class Writer extends MLWriter {
    private final CollisionClusteringModel instance;

    Writer(CollisionClusteringModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(instance, path, sparkSession());
      Row data = RowFactory.create(instance.dim, instance.numClusters, instance.weights,
          instance.bias);
      sparkSession().createDataFrame(List.of(data), DATA_SCHEMA).repartition(1)
          .write().parquet(new Path(path, "data").toString());
    }
  }

  /** Reads what {@link Writer} wrote: metadata first, then the data row. */
  private static final class Reader extends MLReader<CollisionClusteringModel> {
    @Override
    public CollisionClusteringModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession(),
          CollisionClusteringModel.class.getName());
      Row data = sparkSession().read().parquet(new Path(path, "data").toString())
          .select("dim", "k", "weights", "bias").head();
      CollisionClusteringModel model = new CollisionClusteringModel(metadata.uid(), data.getInt(0),
          data.getInt(1), toDoubles(data.getList(2)), toDoubles(data.getList(3)));
      metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
      return model;
    }

    private static double[] toDoubles(List<Object> values) {
      double[] out = new double[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = (Double) values.get(i);
      }
      return out;
    }
  }
}
