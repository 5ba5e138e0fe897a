package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Every method of {@link CollisionClustering#method()} through the same estimator and training
 * loop, on three Gaussian blobs in 5-D (300 rows, 2 partitions): each recovers the blobs, is
 * reproducible, and in the semi-supervised mode (10% of rows with a seed label) names its clusters
 * after the seed labels.
 */
class SelfLabelingMethodsFitTest {
  private static final int ROWS = 300;
  private static final int DIM = 5;
  private static final int BLOBS = 3;

  private static Dataset<Row> blobs;

  /** Rows {@code (id, label, seed, features)}; {@code seed} is the label on every 10th row, else null. */
  @BeforeAll
  static void makeBlobs() {
    Random rnd = new Random(77L);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      int label = (i * 7 + i / 3) % BLOBS;
      double[] x = new double[DIM];
      for (int d = 0; d < DIM; d++) {
        x[d] = rnd.nextGaussian() + (d == label ? 6.0 : 0.0);
      }
      rows.add(RowFactory.create(i, label, i % 10 == 0 ? (Integer) label : null, Vectors.dense(x)));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("label", DataTypes.IntegerType).add("seed", DataTypes.IntegerType, true)
        .add("features", SQLDataTypes.VectorType());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    blobs = SharedSpark.session().createDataFrame(jsc.parallelize(rows, 2), schema);
  }

  /**
   * The methods on the raw features (already at scale 1; standardization divides them by about 4,
   * after which 15 epochs at the default step leave cce-pgd, sela and migd at ACC 0.93-0.95:
   * StandardizationTest covers the standardized fit).
   */
  private static CollisionClustering estimator(String method) {
    return new CollisionClustering().setMethod(method).setK(BLOBS).setMaxIter(15).setBatchSize(50)
        .setSeed(5).setEmMaxIter(300).setStandardization(false);
  }

  /** (label, prediction) pairs ordered by id. */
  private static int[][] labelsAndPredictions(CollisionClusteringModel model) {
    List<Row> rows = model.transform(blobs).orderBy("id").select("label", "prediction")
        .collectAsList();
    int[][] out = new int[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new int[] {rows.get(i).getInt(0), rows.get(i).getInt(1)};
    }
    return out;
  }

  private static double accuracy(int[][] pairs) {
    return ClusteringMetrics.accuracy(Arrays.stream(pairs).mapToInt(p -> p[0]).toArray(),
        Arrays.stream(pairs).mapToInt(p -> p[1]).toArray());
  }

  /** The fraction of rows whose cluster index equals the label, with no relabelling. */
  private static double identityAccuracy(int[][] pairs) {
    return Arrays.stream(pairs).filter(p -> p[0] == p[1]).count() / (double) pairs.length;
  }

  @ParameterizedTest
  @ValueSource(strings = {"cce", "cce-pgd", "sela", "miadm", "migd"})
  void everyMethodRecoversTheBlobsReproducibly(String method) {
    CollisionClusteringModel a = estimator(method).fit(blobs);
    double acc = accuracy(labelsAndPredictions(a));
    assertTrue(acc >= 0.95, method + " ACC " + acc);
    assertTrue(Arrays.stream(a.summary().lossPerEpoch()).allMatch(Double::isFinite));
    assertEquals(method, a.getMethod());
    CollisionClusteringModel b = estimator(method).fit(blobs);
    assertArrayEquals(a.weights(), b.weights(), 0, method);
  }

  /** Seed labels fix the pseudo-labels of their rows, so cluster k is class k (no relabelling). */
  @ParameterizedTest
  @ValueSource(strings = {"cce", "cce-pgd", "sela", "miadm", "migd"})
  void seedLabelsNameTheClusters(String method) {
    CollisionClusteringModel model = estimator(method).setSeedLabelCol("seed").fit(blobs);
    double acc = identityAccuracy(labelsAndPredictions(model));
    assertTrue(acc >= 0.95, method + " accuracy without relabelling " + acc);
  }

  @Test
  void onlyCceRunsTheFulldataSchedule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> estimator("sela").setSchedule("fulldata").fit(blobs));
    assertEquals("method 'sela' supports schedule minibatch only, not 'fulldata'", e.getMessage());
  }

  @Test
  void badSeedLabelsAreNamedWithTheirRow() {
    Dataset<Row> outOfRange = blobs.selectExpr("id", "label",
        "CASE WHEN id = 40 THEN 3 ELSE seed END AS seed", "features");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> estimator("cce").setSeedLabelCol("seed").fit(outOfRange));
    assertTrue(e.getMessage().contains("label column 'seed': row 40 has label 3, which is not a"
        + " class index in [0, 3)"), e.getMessage());

    Dataset<Row> fractional = blobs.selectExpr("id", "label",
        "CASE WHEN id = 7 THEN 1.5D ELSE CAST(seed AS DOUBLE) END AS seed", "features");
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> estimator("sela").setSeedLabelCol("seed").fit(fractional)).getMessage()
        .contains("row 7 has label 1.5"));

    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> estimator("cce").setSeedLabelCol("nope").fit(blobs)).getMessage()
        .contains("Seed label column 'nope' (seedLabelCol) does not exist"));
    Dataset<Row> text = blobs.selectExpr("id", "label", "CAST(seed AS STRING) AS seed", "features");
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> estimator("cce").setSeedLabelCol("seed").fit(text)).getMessage()
        .contains("must hold class indices (a numeric type) or soft target vectors but was actually"
        + " string"));
  }
}
