package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CollisionClusteringModel} built by hand (D=2, K=3): transform, schema checks, persistence;
 * and estimator persistence. None of these need a trained model.
 */
class CollisionClusteringModelTest {
  private static final int D = 2;
  private static final int K = 3;
  /**
   * W row-major D×K: cluster 0 likes +x₀, cluster 2 likes −x₀, cluster 1 likes +x₁. The sparse point
   * (0, −3) ties clusters 0 and 2, so it goes to 0.
   */
  private static final double[] W = {1, 0, -1, 0, 1, 0};
  private static final double[] B = {0, 0.5, 0};

  private static final List<Vector> POINTS = List.of(Vectors.dense(2, 0), Vectors.dense(0, 2),
      Vectors.dense(-2, 0), Vectors.dense(0, 0), Vectors.sparse(2, new int[] {1}, new double[] {-3}),
      Vectors.dense(0.3, -0.7));

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  private static SparkSession spark() {
    return SharedSpark.session();
  }

  private static CollisionClusteringModel model() {
    return new CollisionClusteringModel("ccm_test", D, K, W, B);
  }

  private static Dataset<Row> frame(List<Vector> vectors) {
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("features", SQLDataTypes.VectorType());
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < vectors.size(); i++) {
      rows.add(RowFactory.create(i, vectors.get(i)));
    }
    return spark().createDataFrame(rows, schema);
  }

  /** softmax(Wᵀx + b) computed directly from the definition. */
  private static double[] handSoftmax(double[] w, double[] b, double[] x) {
    double[] z = new double[K];
    double sum = 0;
    for (int c = 0; c < K; c++) {
      z[c] = b[c];
      for (int d = 0; d < D; d++) {
        z[c] += x[d] * w[d * K + c];
      }
    }
    for (int c = 0; c < K; c++) {
      z[c] = Math.exp(z[c]);
      sum += z[c];
    }
    for (int c = 0; c < K; c++) {
      z[c] /= sum;
    }
    return z;
  }

  private static int argmax(double[] p) {
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  private static List<Row> transformSorted(CollisionClusteringModel m, Dataset<Row> df) {
    return m.transform(df).orderBy("id").collectAsList();
  }

  @Test
  void transformPredictsArgmaxOfSoftmax() {
    List<Row> out = transformSorted(model(), frame(POINTS));
    assertEquals(POINTS.size(), out.size());
    for (Row row : out) {
      double[] x = POINTS.get(row.getInt(0)).toArray();
      double[] expected = handSoftmax(W, B, x);
      Vector p = row.getAs("probability");
      assertArrayEquals(expected, p.toArray(), 1e-12, "row " + row.getInt(0));
      assertEquals(1.0, Arrays.stream(p.toArray()).sum(), 1e-12);
      assertEquals(argmax(expected), (int) row.<Integer>getAs("prediction"));
    }
    assertEquals(List.of(0, 1, 2, 1, 0, 0),
        out.stream().map(r -> r.<Integer>getAs("prediction")).toList());
  }

  @Test
  void outputSchemaMatchesTransformSchema() {
    CollisionClusteringModel m = model();
    Dataset<Row> df = frame(POINTS);
    StructType expected = m.transformSchema(df.schema());
    StructType actual = m.transform(df).schema();
    assertEquals(Arrays.asList(expected.fieldNames()), Arrays.asList(actual.fieldNames()));
    assertEquals(DataTypes.IntegerType, actual.apply("prediction").dataType());
    assertEquals(SQLDataTypes.VectorType(), actual.apply("probability").dataType());
  }

  @Test
  void tiesGoToTheLowestIndex() {
    CollisionClusteringModel flat = new CollisionClusteringModel("flat", D, K, new double[D * K],
        new double[K]);
    assertEquals(0, flat.predict(Vectors.dense(1, 2)));
    CollisionClusteringModel tie12 = new CollisionClusteringModel("tie", D, K, new double[D * K],
        new double[] {0, 1, 1});
    assertEquals(1, tie12.predict(Vectors.dense(5, 5)));
    List<Row> out = transformSorted(tie12, frame(List.of(Vectors.dense(0, 0))));
    assertEquals(1, (int) out.get(0).<Integer>getAs("prediction"));
  }

  @Test
  void singleVectorHelpersAgreeWithTransform() {
    CollisionClusteringModel m = model();
    for (Row row : transformSorted(m, frame(POINTS))) {
      Vector x = POINTS.get(row.getInt(0));
      assertEquals((int) row.<Integer>getAs("prediction"), m.predict(x));
      assertArrayEquals(row.<Vector>getAs("probability").toArray(),
          m.predictProbability(x).toArray(), 0);
    }
  }

  @Test
  void emptyOutputColumnNameLeavesTheColumnOut() {
    Dataset<Row> df = frame(POINTS);
    Dataset<Row> onlyPrediction = model().setProbabilityCol("").transform(df);
    assertEquals(List.of("id", "features", "prediction"),
        Arrays.asList(onlyPrediction.columns()));
    assertEquals(List.of(0, 1, 2, 1, 0, 0), onlyPrediction.orderBy("id").select("prediction")
        .as(org.apache.spark.sql.Encoders.INT()).collectAsList());
    Dataset<Row> onlyProbability = model().setPredictionCol("").transform(df);
    assertEquals(List.of("id", "features", "probability"),
        Arrays.asList(onlyProbability.columns()));
  }

  @Test
  void wrongLengthVectorFailsNamingBothLengths() {
    CollisionClusteringModel m = model();
    IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
        () -> m.predict(Vectors.dense(1, 2, 3)));
    assertTrue(direct.getMessage().contains("length 3")
        && direct.getMessage().contains("length 2"), direct.getMessage());

    Dataset<Row> bad = frame(List.of(Vectors.dense(1, 2), Vectors.dense(1, 2, 3)));
    Exception e = assertThrows(Exception.class, () -> m.transform(bad).collectAsList());
    Throwable cause = rootCause(e);
    assertTrue(cause instanceof IllegalArgumentException, String.valueOf(cause));
    assertTrue(cause.getMessage().contains("length 3") && cause.getMessage().contains("length 2"),
        cause.getMessage());
  }

  @Test
  void nonVectorFeaturesColumnFailsNamingColumnAndType() {
    Dataset<Row> df = spark().createDataFrame(List.of(RowFactory.create("a")),
        new StructType().add("features", DataTypes.StringType));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> model().transform(df));
    assertTrue(e.getMessage().contains("'features'") && e.getMessage().contains("string"),
        e.getMessage());
  }

  @Test
  void missingFeaturesOrExistingOutputColumnFails() {
    Dataset<Row> df = frame(POINTS);
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> model().setFeaturesCol("nope").transform(df));
    assertTrue(missing.getMessage().contains("'nope'"), missing.getMessage());

    Dataset<Row> already = df.withColumn("prediction", df.col("id"));
    IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
        () -> new CollisionClustering().fit(already));
    assertTrue(exists.getMessage().contains("'prediction'"), exists.getMessage());
    assertThrows(IllegalArgumentException.class, () -> model().transform(already));

    IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
        () -> model().setProbabilityCol("prediction").transform(df));
    assertTrue(same.getMessage().contains("predictionCol"), same.getMessage());
  }

  @Test
  void constructorChecksSizesAndAccessorsReturnCopies() {
    assertThrows(IllegalArgumentException.class,
        () -> new CollisionClusteringModel("x", 2, 3, new double[5], new double[3]));
    assertThrows(IllegalArgumentException.class,
        () -> new CollisionClusteringModel("x", 2, 3, new double[6], new double[2]));
    assertThrows(IllegalArgumentException.class,
        () -> new CollisionClusteringModel("x", 2, 1, new double[2], new double[1]));

    CollisionClusteringModel m = model();
    assertEquals(D, m.numFeatures());
    assertEquals(K, m.getK());
    m.weights()[0] = 99;
    m.bias()[0] = 99;
    assertArrayEquals(W, m.weights(), 0);
    assertArrayEquals(B, m.bias(), 0);
  }

  @Test
  void weightsMatrixIsKByDWithOneRowPerCluster() {
    Matrix m = model().weightsMatrix();
    assertEquals(K, m.numRows());
    assertEquals(D, m.numCols());
    for (int d = 0; d < D; d++) {
      for (int c = 0; c < K; c++) {
        assertEquals(W[d * K + c], m.apply(c, d), "W[" + d + "][" + c + "]");
      }
    }
  }

  @Test
  void constructedModelHasNoSummaryAndCopyKeepsData() {
    CollisionClusteringModel m = model().setPredictionCol("cluster");
    assertFalse(m.hasSummary());
    IllegalStateException e = assertThrows(IllegalStateException.class, m::summary);
    assertTrue(e.getMessage().contains("summary"), e.getMessage());

    CollisionClusteringModel copy = m.copy(new ParamMap().put(m.probabilityCol(), "p"));
    assertEquals(m.uid(), copy.uid());
    assertEquals("cluster", copy.getPredictionCol());
    assertEquals("p", copy.getProbabilityCol());
    assertEquals("probability", m.getProbabilityCol());
    assertArrayEquals(W, copy.weights(), 0);
    assertArrayEquals(B, copy.bias(), 0);
    assertNull(copy.parent());
  }

  @Test
  void modelSaveLoadRoundTripPredictsIdentically() throws IOException {
    CollisionClusteringModel m = model().setPredictionCol("cluster");
    String path = tmp.resolve("model").toString();
    m.write().save(path);
    CollisionClusteringModel loaded = CollisionClusteringModel.load(path);

    assertEquals(m.uid(), loaded.uid());
    assertEquals("cluster", loaded.getPredictionCol());
    assertEquals(K, loaded.getK());
    assertEquals(D, loaded.numFeatures());
    assertArrayEquals(W, loaded.weights(), 0);
    assertArrayEquals(B, loaded.bias(), 0);
    assertFalse(loaded.hasSummary());
    Dataset<Row> df = frame(POINTS);
    assertEquals(transformSorted(m, df), transformSorted(loaded, df));
  }

  @Test
  void savingOverAnExistingPathNeedsOverwrite() throws IOException {
    String path = tmp.resolve("again").toString();
    model().write().save(path);
    CollisionClusteringModel other = new CollisionClusteringModel("other", D, K, W,
        new double[] {5, 0, 0});
    IOException e = assertThrows(IOException.class, () -> other.write().save(path));
    assertTrue(e.getMessage().contains("overwrite"), e.getMessage());
    assertEquals("ccm_test", CollisionClusteringModel.load(path).uid());

    other.write().overwrite().save(path);
    CollisionClusteringModel loaded = CollisionClusteringModel.load(path);
    assertEquals("other", loaded.uid());
    assertArrayEquals(new double[] {5, 0, 0}, loaded.bias(), 0);
  }

  @Test
  void estimatorSaveLoadKeepsUidAndParams() throws IOException {
    CollisionClustering est = new CollisionClustering().setK(4).setLambda(2.5)
        .setOptimizer("adam").setSchedule("fulldata").setSeed(7).setFeaturesCol("f");
    String path = tmp.resolve("estimator").toString();
    est.write().save(path);
    CollisionClustering loaded = CollisionClustering.load(path);
    assertEquals(est.uid(), loaded.uid());
    assertEquals(est.trainingConfig(), loaded.trainingConfig());
    assertEquals("f", loaded.getFeaturesCol());
    assertEquals("prediction", loaded.getPredictionCol());
    assertTrue(loaded.isSet(loaded.k()));
    assertFalse(loaded.isSet(loaded.maxIter()));
    assertThrows(IOException.class, () -> est.write().save(path));
  }

  @Test
  void unfittedPipelineSavesAndLoadsTheEstimator() throws IOException {
    CollisionClustering est = new CollisionClustering().setK(3).setMaxIter(2);
    String path = tmp.resolve("pipeline").toString();
    new Pipeline().setStages(new PipelineStage[] {est}).write().save(path);
    PipelineStage[] stages = Pipeline.load(path).getStages();
    assertEquals(1, stages.length);
    CollisionClustering loaded = (CollisionClustering) stages[0];
    assertEquals(est.uid(), loaded.uid());
    assertEquals(est.trainingConfig(), loaded.trainingConfig());
  }

  @Test
  void loadingAPathOfTheOtherClassFails() throws IOException {
    String estimatorPath = tmp.resolve("estimator-only").toString();
    new CollisionClustering().write().save(estimatorPath);
    Exception e = assertThrows(Exception.class, () -> CollisionClusteringModel.load(estimatorPath));
    assertTrue(String.valueOf(e.getMessage()).contains("CollisionClusteringModel"), e.getMessage());

    String modelPath = tmp.resolve("model-only").toString();
    model().write().save(modelPath);
    Exception e2 = assertThrows(Exception.class, () -> CollisionClustering.load(modelPath));
    assertTrue(String.valueOf(e2.getMessage()).contains("CollisionClusteringModel"),
        e2.getMessage());
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
