package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.features.ImageFeatureTransformer;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every Params object of the project survives Java serialization (an {@code ObjectOutputStream}
 * round trip keeps uid, params and their validators), and a model works from a broadcast and from
 * a UDF's closure, as Spark applications use models.
 */
class JavaSerializationTest {
  private static final int D = 2;
  private static final int K = 3;
  private static final double[] W = {1, 0, -1, 0, 1, 0};
  private static final double[] B = {0, 0.5, 0};
  private static final List<Vector> POINTS = List.of(Vectors.dense(2, 0), Vectors.dense(0, 2),
      Vectors.dense(-2, 0), Vectors.dense(0.3, -0.7));

  static Stream<Params> everyParams() {
    return Stream.of(
        new CollisionClustering().setK(4).setMethod("sela").setSeed(7),
        new CollisionClusteringModel("ccm_ser", D, K, W, B).setPredictionCol("cluster"),
        new ClusteringMetricsEvaluator().setMetricName("nmi"),
        new ImageFeatureTransformer().setBatchSize(3));
  }

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyParams")
  void javaSerializationKeepsUidParamsAndValidators(Params original) throws Exception {
    Params copy = roundTrip(original);
    assertEquals(original.getClass(), copy.getClass());
    assertEquals(original.uid(), copy.uid());
    assertEquals(original.extractParamMap().toString(), copy.extractParamMap().toString());
    // the validators came along and still work: every param rejects what the original rejects
    for (Param<?> p : copy.params()) {
      @SuppressWarnings("unchecked")
      Param<Object> param = (Param<Object>) p;
      Object value = original.getOrDefault(original.getParam(p.name()));
      assertTrue((Boolean) param.isValid().apply(value), p.name());
    }
  }

  @Test
  void deserializedEstimatorStillValidates() throws Exception {
    CollisionClustering copy = roundTrip(new CollisionClustering());
    assertThrows(IllegalArgumentException.class, () -> copy.setLambda(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> copy.setK(1));
    assertEquals(5.0, copy.setLambda(5).getLambda());
  }

  @Test
  void deserializedModelPredictsTheSameWithoutItsSummary() throws Exception {
    CollisionClusteringModel model = new CollisionClusteringModel("ccm_ser", D, K, W, B);
    CollisionClusteringModel copy = roundTrip(model);
    assertArrayEquals(model.weights(), copy.weights(), 0);
    assertArrayEquals(model.bias(), copy.bias(), 0);
    for (Vector v : POINTS) {
      assertEquals(model.predict(v), copy.predict(v));
    }
    assertFalse(copy.hasSummary());
  }

  @Test
  void broadcastModelPredictsInTasks() {
    CollisionClusteringModel model = new CollisionClusteringModel("ccm_bc", D, K, W, B);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    Broadcast<CollisionClusteringModel> bc = jsc.broadcast(model);
    try {
      List<Integer> fromTasks = jsc.parallelize(POINTS, 2).map(v -> bc.value().predict(v))
          .collect();
      assertEquals(POINTS.stream().map(model::predict).toList(), fromTasks);
    } finally {
      bc.destroy();
    }
  }

  @Test
  void udfCapturingTheModelRuns() {
    CollisionClusteringModel model = new CollisionClusteringModel("ccm_udf", D, K, W, B);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < POINTS.size(); i++) {
      rows.add(RowFactory.create(i, POINTS.get(i)));
    }
    // from an RDD, so that the UDF runs in tasks (a local relation would be evaluated on the driver)
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    Dataset<Row> df = SharedSpark.session().createDataFrame(jsc.parallelize(rows, 2), new StructType()
        .add("id", DataTypes.IntegerType).add("features", SQLDataTypes.VectorType()));
    Dataset<Row> out = df.withColumn("cluster", functions.udf(
        (UDF1<Vector, Integer>) model::predict, DataTypes.IntegerType).apply(df.col("features")));
    List<Integer> clusters = out.orderBy("id").select("cluster").collectAsList().stream()
        .map(r -> r.getInt(0)).toList();
    assertEquals(POINTS.stream().map(model::predict).toList(), clusters);
  }

  /** The param pairs survive too (they hold the param objects with their validators). */
  @Test
  void paramPairsSurvive() throws Exception {
    CollisionClustering est = new CollisionClustering().setK(5);
    ParamPair<Object> pair = roundTrip(est.k().w(5));
    assertEquals(5, pair.value());
  }
}
