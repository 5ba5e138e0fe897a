package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.data.DemoData;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.LoadedInput;
import org.ccespark.spark.KryoRegistration;
import org.ccespark.testing.SharedSpark;
import org.ccespark.testing.StandaloneCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimator under {@code spark.serializer=KryoSerializer}, without and with
 * {@code spark.kryo.registrationRequired} (then with {@link KryoRegistration}): a child JVM (the
 * shared test session keeps Java serialization) loads the demo sample, reads a CSV, fits both
 * schedules (the full-data one with seed labels), and uses a broadcast model in tasks. Its models
 * must equal, bit for bit, the same fits under Java serialization in this JVM.
 */
class KryoFitTest {
  private static final String KRYO = "org.apache.spark.serializer.KryoSerializer";

  @TempDir
  Path tmp;

  /** 240 rows of three 4-D blobs, seed labels on every tenth row, in 2 partitions. */
  static Dataset<Row> blobs(SparkSession spark) {
    Random rnd = new Random(7L);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      int label = i % 3;
      double[] x = new double[4];
      for (int d = 0; d < x.length; d++) {
        x[d] = rnd.nextGaussian() + (d == label ? 6.0 : 0.0);
      }
      rows.add(RowFactory.create(i, label, i % 10 == 0 ? label : null, Vectors.dense(x)));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("label", DataTypes.IntegerType).add("seed", DataTypes.IntegerType)
        .add("features", SQLDataTypes.VectorType());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(jsc.parallelize(rows, 2), schema);
  }

  static CollisionClustering minibatch() {
    return new CollisionClustering().setK(3).setMaxIter(2).setBatchSize(80).setSeed(5);
  }

  static CollisionClustering fulldata() {
    return new CollisionClustering().setK(3).setMaxIter(1).setBatchSize(80).setSeed(5)
        .setSchedule("fulldata").setEmMaxIter(3).setSeedLabelCol("seed");
  }

  /** W and b as exact hexadecimal doubles. */
  static String exact(CollisionClusteringModel m) {
    return Arrays.stream(m.weights()).mapToObj(Double::toHexString).collect(Collectors.joining(","))
        + ";" + Arrays.stream(m.bias()).mapToObj(Double::toHexString)
            .collect(Collectors.joining(","));
  }

  /**
   * The child JVM: for each configuration given as {@code name:registrationRequired}, a fresh
   * session with Kryo, then one {@code RESULT name key value} line per check.
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    for (String required : List.of("false", "true")) {
      SparkSession.Builder builder = SparkSession.builder().master("local[2]")
          .appName("kryo-" + required).config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
          .config("spark.serializer", KRYO)
          .config("spark.kryo.registrationRequired", required);
      if (required.equals("true")) {
        builder.config("spark.kryo.registrator", KryoRegistration.class.getName());
      }
      SparkSession spark = builder.getOrCreate();
      spark.sparkContext().setLogLevel("ERROR");
      try {
        String p = "RESULT " + required + " ";
        System.out.println(p + "serializer " + spark.sparkContext().conf().get("spark.serializer"));
        Dataset<Row> demo = DemoData.load(spark);
        System.out.println(p + "demoRows " + demo.count());
        Dataset<Row> data = blobs(spark);
        CollisionClusteringModel a = minibatch().fit(data);
        System.out.println(p + "minibatch " + exact(a));
        CollisionClusteringModel b = fulldata().fit(data);
        System.out.println(p + "fulldata " + exact(b));

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<CollisionClusteringModel> bc = jsc.broadcast(a);
        List<Vector> points = List.of(Vectors.dense(6, 0, 0, 0), Vectors.dense(0, 6, 0, 0),
            Vectors.dense(0, 0, 6, 0));
        System.out.println(p + "broadcast " + jsc.parallelize(points, 2)
            .map(v -> bc.value().predict(v)).collect().equals(points.stream().map(a::predict)
                .toList()));

        if (required.equals("false")) {
          // the input reader's validation job returns block summaries (with registration
          // required, Spark SQL's own Parquet schema inference fails on unregistered Spark
          // classes before any cce-spark code runs, so only without)
          LoadedInput input = FeatureInput.read(spark, dir.resolve("blobs.parquet").toString(),
              "parquet", "features", "label");
          System.out.println(p + "parquetRows " + input.numRows() + " " + input.numFeatures());
        }
      } finally {
        spark.stop();
      }
    }
  }

  @Test
  void fitsUnderKryoEqualFitsUnderJavaSerialization() throws Exception {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> data = blobs(spark);
    data.select("label", "features").write().parquet(tmp.resolve("blobs.parquet").toString());
    Map<String, String> results = runChild();
    for (String required : List.of("false", "true")) {
      assertEquals(KRYO, results.get(required + " serializer"));
      assertEquals("2000", results.get(required + " demoRows"));
      assertEquals("true", results.get(required + " broadcast"));
    }
    assertEquals("240 4", results.get("false parquetRows"));
    assertTrue(spark.sparkContext().conf().get("spark.serializer",
        "org.apache.spark.serializer.JavaSerializer").endsWith("JavaSerializer"));
    String minibatch = exact(minibatch().fit(data));
    String fulldata = exact(fulldata().fit(data));
    for (String required : List.of("false", "true")) {
      assertEquals(minibatch, results.get(required + " minibatch"), "registrationRequired="
          + required);
      assertEquals(fulldata, results.get(required + " fulldata"), "registrationRequired="
          + required);
    }
  }

  private Map<String, String> runChild() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(StandaloneCluster.sparkJvmFlags());
    command.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"),
        KryoFitTest.class.getName(), tmp.toString()));
    Path log = tmp.resolve("child.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_"));
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    try {
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child JVM did not finish");
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "child JVM failed:\n" + out);
    Map<String, String> results = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("RESULT ")) {
        String[] parts = line.split(" ", 4);
        results.put(parts[1] + " " + parts[2], parts[3]);
      }
    }
    return results;
  }
}
