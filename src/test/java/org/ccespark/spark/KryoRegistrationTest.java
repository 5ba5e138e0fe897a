package org.ccespark.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.ccespark.ml.ClusteringMetricsEvaluator;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.ml.CollisionClusteringModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Every type that cce-spark ships between driver and executors round-trips through Spark's
 * {@link KryoSerializer}, with and without {@code spark.kryo.registrationRequired} (then with
 * {@link KryoRegistration}). The end-to-end fits under Kryo are in {@code KryoFitTest}.
 */
class KryoRegistrationTest {
  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

  private static SerializerInstance kryo(boolean registrationRequired) {
    SparkConf conf = new SparkConf(false)
        .set("spark.serializer", KryoSerializer.class.getName())
        .set("spark.kryo.registrationRequired", Boolean.toString(registrationRequired));
    if (registrationRequired) {
      conf.set("spark.kryo.registrator", KryoRegistration.class.getName());
    }
    return new KryoSerializer(conf).newInstance();
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(SerializerInstance ser, T value) {
    return (T) ser.deserialize(ser.serialize(value, ANY), ANY);
  }

  private static PartitionData partition() {
    double[][] blocks = {{1, 2, 3, 4, 5, 6}};
    double[][] targets = {{1, 0, Double.NaN, 0, 0, 1}};
    return new PartitionData(blocks, 3, 2, targets, 2);
  }

  @ParameterizedTest(name = "registrationRequired={0}")
  @ValueSource(booleans = {false, true})
  void featureBlocksAndTheirSummariesTravel(boolean required) {
    SerializerInstance ser = kryo(required);
    PartitionData copy = roundTrip(ser, partition());
    assertEquals(3, copy.rows);
    assertEquals(2, copy.dim);
    assertArrayEquals(partition().blocks[0], copy.blocks[0], 0);
    assertArrayEquals(partition().targets[0], copy.targets[0], 0);
    PartitionData.Info info = roundTrip(ser, partition().info());
    assertEquals(3, info.rows());
    assertEquals(2, info.labelled());
    assertNull(info.badReason());

    PartitionData.Info bad = roundTrip(ser,
        new PartitionData(7, "features column 'f'", "has NaN at index 1").info());
    assertEquals(7, bad.badRow());
    assertEquals("features column 'f'", bad.badColumn());
    assertEquals("has NaN at index 1", bad.badReason());
  }

  @ParameterizedTest(name = "registrationRequired={0}")
  @ValueSource(booleans = {false, true})
  void numericResultsTravel(boolean required) {
    SerializerInstance ser = kryo(required);
    double[][] labels = {{0.25, 0.75}, {1, 0}};
    double[][] back = roundTrip(ser, labels);
    assertArrayEquals(labels[1], back[1], 0);
    assertArrayEquals(new long[] {3, 9}, roundTrip(ser, new long[] {3, 9}));
    List<double[]> parts = new ArrayList<>(List.of(new double[] {1, 2}));
    assertArrayEquals(new double[] {1, 2}, roundTrip(ser, parts.get(0)), 0);
  }

  @ParameterizedTest(name = "registrationRequired={0}")
  @ValueSource(booleans = {false, true})
  void estimatorModelAndEvaluatorTravel(boolean required) {
    SerializerInstance ser = kryo(required);
    CollisionClusteringModel model = new CollisionClusteringModel("ccm_kryo", 2, 3,
        new double[] {1, 0, -1, 0, 1, 0}, new double[] {0, 0.5, 0});
    CollisionClusteringModel back = roundTrip(ser, model);
    assertEquals(model.uid(), back.uid());
    assertEquals(model.predict(Vectors.dense(0.3, -0.7)), back.predict(Vectors.dense(0.3, -0.7)));
    CollisionClustering est = roundTrip(ser, new CollisionClustering().setK(4));
    assertEquals(4, est.getK());
    assertThrows(IllegalArgumentException.class, () -> est.setK(1));
    assertEquals("ari", roundTrip(ser, new ClusteringMetricsEvaluator().setMetricName("ari"))
        .getMetricName());
  }

  @org.junit.jupiter.api.Test
  void requiredRegistrationWithoutThisRegistratorIsRefusedNamingTheSetting() {
    SparkConf conf = new SparkConf(false).set("spark.serializer", KryoSerializer.class.getName())
        .set("spark.kryo.registrationRequired", "true");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> KryoRegistration.check(conf));
    assertEquals(true, e.getMessage().contains("spark.kryo.registrator"), e.getMessage());
    KryoRegistration.check(conf.set("spark.kryo.registrator",
        "com.example.Other, " + KryoRegistration.class.getName()));
    KryoRegistration.check(new SparkConf(false).set("spark.serializer",
        KryoSerializer.class.getName())); // registration not required: nothing to check
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"org.ccespark.data.ImageFrames$Item", "org.ccespark.data.BlockSummary"})
  void everyRegisteredClassExists(String name) throws Exception {
    // the registrator names some package-private classes by name: a rename must not go unnoticed
    List<String> all = new ArrayList<>(KryoRegistration.FIELD_SERIALIZED);
    all.addAll(KryoRegistration.JAVA_SERIALIZED);
    for (String n : all) {
      Class.forName(n);
    }
    assertEquals(true, all.contains(name));
  }
}
