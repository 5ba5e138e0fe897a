package org.ccespark.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A fit whose driver stops after some epoch (its jobs are cancelled, as when the driver is killed)
 * continues from its checkpoint with {@code resume} and ends with the classifier, loss history and
 * solver history of an uninterrupted fit, bit for bit; mismatched settings or data are refused.
 * For {@code fulldata} that needs the epoch's pseudo-labels and the dual prices the next epoch's
 * solve starts from (without the prices, the resumed solve starts from {@code λ·1}, takes other
 * passes and ends a rounding error away).
 */
class TrainingCheckpointTest {
  private static final StructType SCHEMA = new StructType().add("features", SQLDataTypes.VectorType());
  private static final String GROUP = "training-checkpoint-test";
  private final SparkSession spark = SharedSpark.session();
  private final JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  private final Configuration conf = spark.sparkContext().hadoopConfiguration();

  @TempDir
  Path tmp;

  private Dataset<Row> frame(int n, int dim, long seed) {
    Random rnd = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int center = rnd.nextInt(3);
      double[] r = new double[dim];
      for (int d = 0; d < dim; d++) {
        r[d] = (d % 3 == center ? 2 : 0) + rnd.nextGaussian();
      }
      rows.add(RowFactory.create(Vectors.dense(r)));
    }
    return spark.createDataFrame(jsc.parallelize(rows, 2), SCHEMA);
  }

  private static TrainingConfig config(String schedule, String optimizer, double momentum,
      double stepSize) {
    return TrainingConfig.builder().k(3).lambda(100).epochs(5).batchSize(40).stepSize(stepSize)
        .weightDecay(0.01).optimizer(optimizer).momentum(momentum).emMaxIter(20).emTol(1e-5)
        .seed(11L).schedule(schedule).build();
  }

  private static void assertSameFit(TrainingResult expected, TrainingResult actual) {
    assertArrayEquals(expected.weights(), actual.weights());
    assertArrayEquals(expected.bias(), actual.bias());
    assertArrayEquals(expected.lossPerEpoch(), actual.lossPerEpoch());
    assertArrayEquals(expected.emIterationsPerEpoch(), actual.emIterationsPerEpoch());
    assertArrayEquals(expected.clusterSizes(), actual.clusterSizes());
  }

  /** Epochs with a checkpoint folder in {@code dir}. */
  private static List<String> checkpoints(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(TrainingCheckpoint.LOCK)).sorted().toList();
    }
  }

  /**
   * Fits with checkpoints into {@code dir} and cancels the fit's jobs once the checkpoint of epoch
   * 2 exists, as if the driver died during epoch 3 or later.
   */
  private void fitUntilStopped(Dataset<Row> data, TrainingConfig cfg, Path dir) throws Exception {
    Path epoch2 = dir.resolve("epoch-000002");
    Thread watcher = new Thread(() -> {
      while (!Files.exists(epoch2)) {
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
      // cancelling stops only the jobs running at the time: keep at it until the fit fails
      while (!Thread.currentThread().isInterrupted()) {
        if (jsc.statusTracker().getActiveJobIds().length > 0) {
          jsc.cancelJobGroup(GROUP);
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    watcher.start();
    jsc.setJobGroup(GROUP, "stopped after epoch 2", false);
    try {
      assertThrows(Exception.class, () -> SelfLabelTrainer.fit(data, "features", null, cfg,
          TrainingCheckpoint.open(conf, dir.toString(), false)), "the fit was not stopped");
    } finally {
      jsc.clearJobGroup();
      watcher.interrupt();
      watcher.join();
    }
  }

  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"minibatch, adam, 0", "fulldata, sgd, 0.9"})
  void resumedFitEqualsUninterruptedFit(String schedule, String optimizer, double momentum)
      throws Exception {
    Dataset<Row> data = frame(200, 6, 3);
    TrainingConfig cfg = config(schedule, optimizer, momentum, 0.05);
    TrainingResult uninterrupted = SelfLabelTrainer.fit(data, "features", null, cfg);

    Path dir = tmp.resolve("checkpoints");
    fitUntilStopped(data, cfg, dir);
    List<String> left = checkpoints(dir);
    assertEquals(1, left.size(), "one checkpoint, the latest: " + left);
    int stoppedAfter = Integer.parseInt(left.get(0).substring("epoch-".length()));
    assertTrue(stoppedAfter >= 2 && stoppedAfter < cfg.epochs(), "stopped after " + left);
    if (schedule.equals("fulldata")) {
      assertTrue(Files.isRegularFile(dir.resolve(left.get(0)).resolve("labels/part-00001")));
    }

    TrainingResult resumed = SelfLabelTrainer.fit(data, "features", null, cfg,
        TrainingCheckpoint.open(conf, dir.toString(), true));
    assertSameFit(uninterrupted, resumed);
    assertEquals(List.of("epoch-000005"), checkpoints(dir));

    // Resuming a finished run trains no more and gives the same classifier again.
    assertSameFit(uninterrupted, SelfLabelTrainer.fit(data, "features", null, cfg,
        TrainingCheckpoint.open(conf, dir.toString(), true)));
  }

  @Test
  void refusesOtherSettingsOtherDataAndANonEmptyFolderWithoutResume() {
    Dataset<Row> data = frame(120, 4, 5);
    TrainingConfig cfg = config("minibatch", "sgd", 0, 0.05);
    String dir = tmp.resolve("c").toString();
    // resume with no checkpoint yet starts from the first epoch
    SelfLabelTrainer.fit(data, "features", null, cfg, TrainingCheckpoint.open(conf, dir, true));
    assertTrue(Files.isDirectory(Path.of(dir, "epoch-000005")));

    IllegalArgumentException notEmpty = assertThrows(IllegalArgumentException.class,
        () -> TrainingCheckpoint.open(conf, dir, false));
    assertTrue(notEmpty.getMessage().contains("checkpoint of epoch 5")
        && notEmpty.getMessage().contains("--resume"), notEmpty.getMessage());

    IllegalArgumentException step = assertThrows(IllegalArgumentException.class,
        () -> SelfLabelTrainer.fit(data, "features", null, config("minibatch", "sgd", 0, 0.07),
            TrainingCheckpoint.open(conf, dir, true)));
    assertTrue(step.getMessage().contains("stepSize = 0.05, but this run has stepSize = 0.07"),
        step.getMessage());

    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> SelfLabelTrainer.fit(frame(120, 4, 6), "features", null, cfg,
            TrainingCheckpoint.open(conf, dir, true)));
    assertTrue(other.getMessage().contains("data hash"), other.getMessage());
  }

  @Test
  void removesTheTemporaryFolderOfAnUnfinishedCheckpoint() throws IOException {
    Path dir = tmp.resolve("c2");
    Path stale = dir.resolve(".epoch-000003.tmp-0123abcd");
    Files.createDirectories(stale.resolve("labels"));
    Path other = Files.createDirectories(dir.resolve("notes"));
    TrainingCheckpoint.open(conf, dir.toString(), true).close();
    assertTrue(!Files.exists(stale) && Files.exists(other));
  }

  /**
   * The lock: a folder whose lock names another live process (a real one, {@code sleep}) is
   * refused naming it, with or without resume, and nothing in it is touched; once that process is
   * gone the lock is taken over, and closing releases it.
   */
  @Test
  void aFolderInUseByAnotherRunningProcessIsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("c3"));
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      ProcessOwner holder = new ProcessOwner(other.pid(), ProcessOwner.current().host(),
          other.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L));
      byte[] lock = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(holder);
      Files.write(dir.resolve(TrainingCheckpoint.LOCK), lock);
      Path stale = Files.createDirectories(dir.resolve(".epoch-000002.tmp-0123abcd"));
      for (boolean resume : new boolean[] {false, true}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> TrainingCheckpoint.open(conf, dir.toString(), resume));
        assertTrue(e.getMessage().contains("is in use by another run (process " + other.pid()),
            e.getMessage());
      }
      assertArrayEquals(lock, Files.readAllBytes(dir.resolve(TrainingCheckpoint.LOCK)));
      assertTrue(Files.exists(stale), "nothing touched while the other run holds the folder");
    } finally {
      other.destroyForcibly();
      other.waitFor();
    }
    try (TrainingCheckpoint c = TrainingCheckpoint.open(conf, dir.toString(), false)) {
      assertEquals(ProcessOwner.current(), new com.fasterxml.jackson.databind.ObjectMapper()
          .readValue(dir.resolve(TrainingCheckpoint.LOCK).toFile(), ProcessOwner.class));
    }
    assertEquals(List.of(), checkpoints(dir));
    assertTrue(!Files.exists(dir.resolve(TrainingCheckpoint.LOCK)), "released");
  }
}
