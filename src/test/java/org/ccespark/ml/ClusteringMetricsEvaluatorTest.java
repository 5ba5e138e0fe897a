package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

class ClusteringMetricsEvaluatorTest {
  private static final double EPS = 1e-12;

  private static SparkSession spark;
  private static int[] labels;
  private static int[] clusters;
  /** label: double, prediction: int, as a classifier's label column and KMeans's output. */
  private static Dataset<Row> numeric;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.session();
    SplittableRandom rnd = new SplittableRandom(8);
    int n = 400;
    labels = new int[n];
    clusters = new int[n];
    for (int p = 0; p < n; p++) {
      labels[p] = rnd.nextInt(4);
      // Mostly follows the label (renamed), sometimes a random one of 5 clusters.
      clusters[p] = rnd.nextInt(3) > 0 ? (labels[p] + 2) % 4 : rnd.nextInt(5);
    }
    List<Row> rows = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      rows.add(RowFactory.create((double) labels[p], clusters[p]));
    }
    StructType schema = new StructType()
        .add("label", DataTypes.DoubleType, false)
        .add("prediction", DataTypes.IntegerType, false);
    numeric = spark.createDataFrame(rows, schema);
  }

  @Test
  void defaults() {
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator();
    assertEquals("label", e.getLabelCol());
    assertEquals("prediction", e.getPredictionCol());
    assertEquals("acc", e.getMetricName());
    assertTrue(e.isLargerBetter());
    assertTrue(e.uid().startsWith("clusteringMetricsEval_"));
    // The three params are visible to Spark's reflection (Params.params).
    assertEquals(3, e.params().length);
    assertTrue(e.hasParam("labelCol") && e.hasParam("predictionCol") && e.hasParam("metricName"));
  }

  @Test
  void metricsEqualClusteringMetricsOnTheSameArrays() {
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator();
    double acc = e.setMetricName("acc").evaluate(numeric);
    double nmi = e.setMetricName("nmi").evaluate(numeric);
    double ari = e.setMetricName("ari").evaluate(numeric);
    assertEquals(ClusteringMetrics.accuracy(labels, clusters), acc, EPS);
    assertEquals(ClusteringMetrics.nmi(labels, clusters), nmi, EPS);
    assertEquals(ClusteringMetrics.ari(labels, clusters), ari, EPS);
    assertTrue(acc > 0.6 && nmi > 0.3 && ari > 0.3, acc + " " + nmi + " " + ari);
  }

  @Test
  void stringLabelsAndCustomColumnNames() {
    String[] names = {"cat", "dog", "emu", "yak"};
    List<Row> rows = new ArrayList<>();
    for (int p = 0; p < labels.length; p++) {
      rows.add(RowFactory.create(names[labels[p]], (long) clusters[p] * 10, "ignored"));
    }
    StructType schema = new StructType()
        .add("species", DataTypes.StringType)
        .add("cluster", DataTypes.LongType)
        .add("other", DataTypes.StringType);
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator()
        .setLabelCol("species")
        .setPredictionCol("cluster");
    assertEquals(ClusteringMetrics.accuracy(labels, clusters), e.setMetricName("acc").evaluate(df), EPS);
    assertEquals(ClusteringMetrics.nmi(labels, clusters), e.setMetricName("nmi").evaluate(df), EPS);
    assertEquals(ClusteringMetrics.ari(labels, clusters), e.setMetricName("ari").evaluate(df), EPS);
  }

  @Test
  void sixPointExampleThroughSpark() {
    // labels [0,0,0,1,1,1] vs clusters [0,0,1,1,2,2]: ACC 4/6, ARI 8/33, NMI (4/3) ln 2 / ln 6
    // (hand computation in org.ccespark.eval.ClusteringMetricsTest).
    List<Row> rows = new ArrayList<>();
    int[] l = {0, 0, 0, 1, 1, 1};
    int[] c = {0, 0, 1, 1, 2, 2};
    for (int p = 0; p < 6; p++) {
      rows.add(RowFactory.create(l[p], c[p]));
    }
    Dataset<Row> df = spark.createDataFrame(rows, new StructType()
        .add("label", DataTypes.IntegerType)
        .add("prediction", DataTypes.IntegerType));
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator();
    assertEquals(4.0 / 6, e.evaluate(df), EPS);
    assertEquals(0.24242424242424246, e.setMetricName("ari").evaluate(df), EPS);
    assertEquals(0.5158037429793889, e.setMetricName("nmi").evaluate(df), EPS);
  }

  @Test
  void largerDatasetIsAggregatedBySpark() {
    // 200,000 rows generated in Spark; only the 7×5 distinct (label, prediction) pairs reach the driver.
    int n = 200_000;
    Dataset<Row> df = spark.range(n).selectExpr(
        "cast(id % 7 as double) as label", "cast((id * 3 + id / 1000) % 5 as int) as prediction");
    int[] l = new int[n];
    int[] c = new int[n];
    for (int id = 0; id < n; id++) {
      l[id] = id % 7;
      c[id] = (int) (((long) id * 3 + id / 1000) % 5);
    }
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator();
    assertEquals(ClusteringMetrics.accuracy(l, c), e.setMetricName("acc").evaluate(df), EPS);
    assertEquals(ClusteringMetrics.nmi(l, c), e.setMetricName("nmi").evaluate(df), EPS);
    assertEquals(ClusteringMetrics.ari(l, c), e.setMetricName("ari").evaluate(df), EPS);
  }

  @Test
  void nullLabelIsAnErrorNamingTheColumn() {
    List<Row> rows = List.of(
        RowFactory.create(1.0, 0), RowFactory.create(null, 1), RowFactory.create(2.0, 1));
    Dataset<Row> df = spark.createDataFrame(rows, new StructType()
        .add("truth", DataTypes.DoubleType, true)
        .add("prediction", DataTypes.IntegerType));
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator().setLabelCol("truth");
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> e.evaluate(df));
    assertTrue(ex.getMessage().contains("'truth'"), ex.getMessage());
  }

  @Test
  void unsupportedTypeMissingColumnAndEmptyDatasetAreRejected() {
    Dataset<Row> df = spark.range(3).selectExpr("array(id) as label", "cast(id as int) as prediction");
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> new ClusteringMetricsEvaluator().evaluate(df));
    assertTrue(ex.getMessage().contains("'label'"), ex.getMessage());

    Exception missing = assertThrows(Exception.class,
        () -> new ClusteringMetricsEvaluator().setLabelCol("nope").evaluate(numeric));
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());

    assertThrows(IllegalArgumentException.class,
        () -> new ClusteringMetricsEvaluator().evaluate(numeric.limit(0)));
  }

  @Test
  void invalidMetricNameIsRejected() {
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator();
    assertThrows(IllegalArgumentException.class, () -> e.setMetricName("f1"));
    assertThrows(IllegalArgumentException.class, () -> e.setMetricName("ACC"));
    assertEquals("acc", e.getMetricName());
    assertThrows(IllegalArgumentException.class,
        () -> e.evaluate(numeric, new ParamMap().put(e.metricName(), "silhouette")));
  }

  @Test
  void saveAndLoadKeepUidAndParams(@TempDir Path dir) throws Exception {
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator()
        .setLabelCol("y")
        .setPredictionCol("cluster")
        .setMetricName("ari");
    String path = dir.resolve("evaluator").toString();
    e.save(path);
    ClusteringMetricsEvaluator loaded = ClusteringMetricsEvaluator.load(path);
    assertEquals(e.uid(), loaded.uid());
    assertEquals("y", loaded.getLabelCol());
    assertEquals("cluster", loaded.getPredictionCol());
    assertEquals("ari", loaded.getMetricName());
    assertTrue(loaded.isSet(loaded.metricName()));

    // Defaults that were never set stay defaults (not explicitly set) after the round trip.
    ClusteringMetricsEvaluator plain = new ClusteringMetricsEvaluator();
    String plainPath = dir.resolve("plain").toString();
    plain.write().overwrite().save(plainPath);
    ClusteringMetricsEvaluator plainLoaded = ClusteringMetricsEvaluator.load(plainPath);
    assertEquals("acc", plainLoaded.getMetricName());
    assertTrue(!plainLoaded.isSet(plainLoaded.metricName()));
  }

  @Test
  void paramGridSwitchesTheMetric() {
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator();
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(e.metricName(), CollectionConverters.asScala(List.of("acc", "nmi", "ari")))
        .build();
    assertEquals(3, grid.length);
    for (ParamMap pm : grid) {
      String metric = pm.apply(e.metricName());
      double expected;
      switch (metric) {
        case "acc":
          expected = ClusteringMetrics.accuracy(labels, clusters);
          break;
        case "nmi":
          expected = ClusteringMetrics.nmi(labels, clusters);
          break;
        default:
          expected = ClusteringMetrics.ari(labels, clusters);
      }
      assertEquals(expected, e.evaluate(numeric, pm), EPS, metric);
    }
    // evaluate(dataset, paramMap) works on a copy: the evaluator itself is unchanged.
    assertEquals("acc", e.getMetricName());
  }

  @Test
  void copyKeepsUidAndAppliesExtraParams() {
    ClusteringMetricsEvaluator e = new ClusteringMetricsEvaluator().setLabelCol("y");
    ClusteringMetricsEvaluator copy = e.copy(new ParamMap().put(e.metricName(), "nmi"));
    assertEquals(e.uid(), copy.uid());
    assertEquals("y", copy.getLabelCol());
    assertEquals("nmi", copy.getMetricName());
    assertEquals("acc", e.getMetricName());
    assertNotEquals(System.identityHashCode(e), System.identityHashCode(copy));
  }
}
