package org.ccespark.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.data.FeatureInput;
import org.ccespark.deep.TrainingImages;
import org.ccespark.features.ImageFeatures;

/**
 * The score and write steps of a deep clustering, whose fit and predictions come from the network
 * ({@link org.ccespark.deep.DeepClusteringTrainer}): the scores of its clusters, its learned
 * features as the rows {@code cluster} reads, and its predictions.
 */
public final class DeepOutputs {
  private DeepOutputs() {}

  /**
   * ACC, NMI, ARI on the images that have a label and are not seeds.
   *
   * @param seeds which images are seeds, or null for none
   * @return the scores, or null if no image is scored
   */
  public static Scores scores(TrainingImages images, boolean[] seeds, int[] predictions) {
    int[] rows = scoredRows(images, seeds, predictions.length);
    if (rows.length == 0) {
      return null;
    }
    int[] labels = new int[rows.length];
    int[] clusters = new int[rows.length];
    for (int j = 0; j < rows.length; j++) {
      labels[j] = images.label(rows[j]);
      clusters[j] = predictions[rows[j]];
    }
    return Scores.of(labels, clusters);
  }

  /** The indices of the images that have a label and are not seeds. */
  public static int[] scoredRows(TrainingImages images, boolean[] seeds, int n) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (images.label(i) >= 0 && (seeds == null || !seeds[i])) {
        rows.add(i);
      }
    }
    return rows.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * A network's features of images as the rows {@code cluster} reads: {@code id}, {@code label}
   * (when any image has one; null for the others) and {@code features}, in the images' order.
   *
   * @param images the images
   * @param features {@code size × d}, image after image
   * @param d the feature dimension
   * @return the rows, to be written as Parquet
   */
  public static Dataset<Row> featureRows(SparkSession spark, TrainingImages images,
      float[] features, int d) {
    int n = images.size();
    boolean hasLabel = images.hasLabels();
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] f = new double[d];
      for (int j = 0; j < d; j++) {
        f[j] = features[i * d + j];
      }
      Integer label = images.label(i) >= 0 ? images.label(i) : null;
      rows.add(hasLabel ? RowFactory.create(images.id(i), label, Vectors.dense(f))
          : RowFactory.create(images.id(i), Vectors.dense(f)));
    }
    // In slices of about 8 MB of doubles: one local relation of every row would be a single task
    // of n·d·8 bytes (370 MB for VGG4 features of 10,000 digits).
    int slices = (int) Math.max(1, Math.min(n, (long) n * d / 1_000_000));
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(rows, slices), ImageFeatures.schema(hasLabel));
  }

  /**
   * Writes {@code features/} (Parquet, {@link #featureRows}), {@code predictions/} (Parquet:
   * row, id, label, prediction, probability, seed) and {@code predictions.csv} (row, label,
   * prediction).
   */
  public static void write(SparkSession spark, OutputSink sink, TrainingImages train,
      boolean[] seeds, float[] features, int d, float[] probabilities, int k, int[] predictions) {
    int n = predictions.length;
    featureRows(spark, train, features, d).write().parquet(sink.path("features"));
    List<Row> predictionRows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] p = new double[k];
      for (int j = 0; j < k; j++) {
        p[j] = probabilities[i * k + j];
      }
      Integer label = train.label(i) >= 0 ? train.label(i) : null;
      predictionRows.add(RowFactory.create((long) i, train.id(i), label, predictions[i],
          Vectors.dense(p), seeds != null && seeds[i]));
    }
    StructType predictionSchema = new StructType()
        .add(FeatureInput.ROW_COL, DataTypes.LongType, false)
        .add(ImageFeatures.ID_COL, DataTypes.StringType, false)
        .add(FeatureInput.LABEL_COL, DataTypes.IntegerType, true)
        .add(Clustering.PREDICTION_COL, DataTypes.IntegerType, false)
        .add(Clustering.PROBABILITY_COL, new VectorUDT(), false)
        .add("seed", DataTypes.BooleanType, false);
    Dataset<Row> preds = spark.createDataFrame(predictionRows, predictionSchema).coalesce(1);
    preds.write().parquet(sink.path("predictions"));
    preds.selectExpr(FeatureInput.ROW_COL, FeatureInput.LABEL_COL, Clustering.PREDICTION_COL)
        .write().option("header", "true").csv(sink.path("_predictions.csv"));
    sink.keepSinglePart("_predictions.csv", "predictions.csv");
  }
}
