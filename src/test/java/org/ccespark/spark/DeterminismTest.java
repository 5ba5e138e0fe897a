package org.ccespark.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.math.LinearSoftmax;
import org.ccespark.math.Softmax;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a fit's result depends on: the seed, the data and its partitioning (with the order of
 * rows in each partition), and nothing else — not how the fulldata schedule keeps its EM
 * iterates. Same inputs give bit-identical classifiers ({@code SelfLabelTrainerTest} and
 * {@code CollisionClusteringFitTest} check two runs on {@code local[2]}; {@code
 * StandaloneClusterTest} a cluster against {@code local[2]}); another partitioning gives another,
 * equally valid, classifier.
 */
class DeterminismTest {
  private static final StructType SCHEMA = new StructType()
      .add("features", SQLDataTypes.VectorType());
  private static final int ROWS = 600;
  private static final int DIM = 6;
  private static final int K = 3;

  @TempDir
  Path tmp;

  /** Three blobs in 6-D, centred at 6·e_j; row i belongs to blob i mod 3. */
  private static double[][] blobs() {
    Random rnd = new Random(99);
    double[][] rows = new double[ROWS][DIM];
    for (int i = 0; i < ROWS; i++) {
      for (int d = 0; d < DIM; d++) {
        rows[i][d] = rnd.nextGaussian() + (d == i % K ? 6 : 0);
      }
    }
    return rows;
  }

  /** The rows in order, cut into {@code partitions} contiguous slices. */
  private static Dataset<Row> frame(double[][] rows, int partitions) {
    List<Row> list = new ArrayList<>();
    for (double[] r : rows) {
      list.add(RowFactory.create(Vectors.dense(r)));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    return SharedSpark.session().createDataFrame(jsc.parallelize(list, partitions), SCHEMA);
  }

  private static TrainingConfig config(String schedule, long seed) {
    return TrainingConfig.builder().k(K).lambda(100).epochs(2).batchSize(100).stepSize(0.1)
        .weightDecay(0.001).optimizer("sgd").momentum(0).emMaxIter(8).emTol(1e-9).seed(seed)
        .schedule(schedule).build();
  }

  private static double accuracy(TrainingResult result, double[][] rows) {
    int[] labels = new int[rows.length];
    int[] clusters = new int[rows.length];
    double[] z = new double[K];
    for (int i = 0; i < rows.length; i++) {
      LinearSoftmax.logits(result.weights(), result.bias(), DIM, K, rows[i], 0, 1, z);
      labels[i] = i % K;
      clusters[i] = Softmax.argmax(z, 0, K);
    }
    return ClusteringMetrics.accuracy(labels, clusters);
  }

  @Test
  void anotherPartitioningGivesAnotherValidClassifier() {
    double[][] rows = blobs();
    for (String schedule : List.of("minibatch", "fulldata")) {
      TrainingResult two = SelfLabelTrainer.fit(frame(rows, 2), "features", config(schedule, 5));
      TrainingResult three = SelfLabelTrainer.fit(frame(rows, 3), "features", config(schedule, 5));
      TrainingResult threeAgain = SelfLabelTrainer.fit(frame(rows, 3), "features",
          config(schedule, 5));
      assertArrayEquals(three.weights(), threeAgain.weights(), schedule);
      assertArrayEquals(three.lossPerEpoch(), threeAgain.lossPerEpoch(), schedule);
      // The batches are cut per partition, so the steps, and with them the classifier, differ ...
      assertFalse(Arrays.equals(two.weights(), three.weights()), schedule);
      // ... but both recover the blobs.
      assertTrue(accuracy(two, rows) > 0.9, schedule + " 2 partitions: " + accuracy(two, rows));
      assertTrue(accuracy(three, rows) > 0.9,
          schedule + " 3 partitions: " + accuracy(three, rows));
    }
  }

  @Test
  void anotherSeedGivesAnotherClassifier() {
    double[][] rows = blobs();
    TrainingResult a = SelfLabelTrainer.fit(frame(rows, 2), "features", config("minibatch", 5));
    TrainingResult b = SelfLabelTrainer.fit(frame(rows, 2), "features", config("minibatch", 6));
    assertFalse(Arrays.equals(a.weights(), b.weights()));
    assertTrue(accuracy(b, rows) > 0.9, "seed 6: " + accuracy(b, rows));
  }

  /**
   * With a checkpoint directory the fulldata schedule writes its EM iterates there instead of
   * keeping them on the executors: the classifier is the same, bit for bit, and the iterates'
   * files are deleted as soon as they are no longer needed.
   */
  @Test
  void fullDataEmIteratesInACheckpointDirectoryGiveTheSameClassifier() throws IOException {
    double[][] rows = blobs();
    TrainingConfig cfg = config("fulldata", 5);
    TrainingResult onExecutors = SelfLabelTrainer.fit(frame(rows, 2), "features", cfg);
    SparkContext sc = SharedSpark.session().sparkContext();
    Path dir = tmp.resolve("checkpoints");
    sc.setCheckpointDir(dir.toString());
    TrainingResult checkpointed;
    try {
      checkpointed = SelfLabelTrainer.fit(frame(rows, 2), "features", cfg);
    } finally {
      sc.setCheckpointDir(null); // the suite's session goes on without one
    }
    assertArrayEquals(onExecutors.weights(), checkpointed.weights());
    assertArrayEquals(onExecutors.bias(), checkpointed.bias());
    assertArrayEquals(onExecutors.lossPerEpoch(), checkpointed.lossPerEpoch());
    assertArrayEquals(onExecutors.emIterationsPerEpoch(), checkpointed.emIterationsPerEpoch());
    assertTrue(checkpointed.emIterationsPerEpoch()[0] > 1, "EM iterated");
    try (Stream<Path> files = Files.walk(dir)) {
      List<String> left = files.filter(Files::isRegularFile).map(Path::toString).toList();
      assertEquals(List.of(), left, "checkpoint files left after the fit");
    }
  }
}
