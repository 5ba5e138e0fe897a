package org.ccespark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scale-out report from given fits (speed-up, equal predictions across Worker counts) and the
 * checkout it runs from; the benchmark itself starts real clusters and is run by
 * {@code submit/cce bench --only scale-out}, not by the tests.
 */
class ScaleOutBenchmarkTest {
  private static EndToEndBenchmark.Fit fit(String method, double seconds, double passes,
      int[] predictions) {
    return new EndToEndBenchmark.Fit(predictions.length, method,
        Timing.Stats.of(new double[] {seconds}), passes, "epoch", 0, 0, 0, 0, 1.0, 1.0,
        new EndToEndBenchmark.KMeansDetails(5, 1.0, 20, "k-means||"), predictions);
  }

  @Test
  void reportsSpeedUpPerMethodAndWhetherPredictionsAreIdentical() {
    ScaleOutBenchmark.Config cfg = new ScaleOutBenchmark.Config(4, 2, 2,
        List.of("cce-minibatch", "kmeans"), new int[] {1, 2}, "1g", 3, null, 2, 1, 1, 0,
        Path.of("."));
    List<ScaleOutBenchmark.Run> runs = List.of(
        new ScaleOutBenchmark.Run(1, fit("cce-minibatch", 12, 3, new int[] {0, 1, 0, 1}), 1, 2),
        new ScaleOutBenchmark.Run(1, fit("kmeans", 10, 5, new int[] {1, 1, 0, 0}), 1, 2),
        new ScaleOutBenchmark.Run(2, fit("cce-minibatch", 8, 3, new int[] {0, 1, 0, 1}), 2, 3),
        new ScaleOutBenchmark.Run(2, fit("kmeans", 10, 4, new int[] {1, 0, 0, 0}), 2, 3));
    BenchResult<ScaleOutBenchmark.Report> r = ScaleOutBenchmark.result(cfg, runs, Map.of());
    assertTrue(r.table().contains("cce-minibatch: 1 -> 2 workers: fit speed-up x1.50, per pass"
        + " x1.50; predictions identical"), r.table());
    assertTrue(r.table().contains("kmeans: 1 -> 2 workers: fit speed-up x1.00, per pass x0.80;"
        + " predictions 1 of 4 differ"), r.table());
    // as written into bench.json
    JsonNode rows = new ObjectMapper().valueToTree(r.json()).get("results");
    assertEquals(4, rows.size());
    assertFalse(rows.get(0).has("speedupOver1Workers"));
    assertEquals(1.5, rows.get(2).get("speedupOver1Workers").asDouble(), 1e-12);
    assertEquals(true, rows.get(2).get("predictionsIdenticalTo1Workers").asBoolean());
    assertEquals(1, rows.get(3).get("predictionsDifferingFrom1Workers").asInt());
    assertEquals(List.of("workers", "method", "fitSeconds", "passes", "pass", "secondsPerPass",
        "sparkJobs", "sparkJobsPerPass", "acc", "nmi", "loadAverageMean", "loadAverageMax",
        "iterations", "trainingCost", "maxIter", "initMode", "speedupOver1Workers",
        "predictionsDifferingFrom1Workers", "predictionsIdenticalTo1Workers"),
        fieldNames(rows.get(2)));
    assertEquals(List.of("median", "min", "max", "reps"), fieldNames(rows.get(0).get("fitSeconds")));
    JsonNode settings = new ObjectMapper().valueToTree(r.json()).get("settings");
    assertEquals(List.of("sizes", "dim", "k", "methods", "epochs", "fulldataEmMaxIter",
        "partitions", "seed", "reps", "warmupRows", "workers", "coresPerWorker",
        "executorMemory"), fieldNames(settings));
    assertEquals("default", settings.get("fulldataEmMaxIter").asText());
    assertEquals(3, settings.get("epochs").asInt());
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> out = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void countsDifferingPredictions() {
    assertEquals(0, ScaleOutBenchmark.differences(new int[] {1, 2}, new int[] {1, 2}));
    assertEquals(2, ScaleOutBenchmark.differences(new int[] {1, 2}, new int[] {2, 1}));
    assertEquals(3, ScaleOutBenchmark.differences(new int[] {1, 2}, new int[] {1, 2, 3}));
  }

  @Test
  void findsTheCheckoutItRunsFrom() {
    // Tests run from target/test-classes next to target/classes, in the project folder.
    Path root = ScaleOutBenchmark.projectRoot();
    assertTrue(root.resolve("submit/standalone-cluster").toFile().isFile(), root.toString());
    assertTrue(ScaleOutBenchmark.loadAverages().length >= 1);
  }
}
