package org.ccespark.bench;

import static org.ccespark.bench.ScaleOutBenchmarkTest.fieldNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The typed reports of the single-threaded benchmarks are written with the field names and nesting
 * that bench.json, the notebooks and docs/performance.md read.
 */
class BenchJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void kernelReportKeepsItsFields() {
    BenchResult<KernelBenchmark.Report> r = KernelBenchmark.run(
        new KernelBenchmark.Config(new int[] {2, 5}, 200, 100, 3, 1, 1, 2));
    JsonNode root = JSON.valueToTree(r.json());
    assertEquals(List.of("settings", "results"), fieldNames(root));
    assertEquals(List.of("pointClasses", "lambda", "logitScale", "seed", "warmups", "reps",
        "threads"), fieldNames(root.get("settings")));
    JsonNode first = root.get("results").get(0);
    assertEquals(List.of("k", "m", "secondsPerIteration", "pointClassesPerSecond",
        "cpuSecondsPerIteration", "pointClassesPerCpuSecond", "newtonStepsPerPoint"),
        fieldNames(first));
    assertEquals(List.of("median", "min", "max", "reps"),
        fieldNames(first.get("secondsPerIteration")));
    assertEquals(List.of("median", "min", "max"), fieldNames(first.get("pointClassesPerSecond")));
    assertTrue(first.get("pointClassesPerSecond").get("min").asDouble()
        <= first.get("pointClassesPerSecond").get("max").asDouble());
  }

  @Test
  void emVsPgdReportKeepsItsFields() {
    BenchResult<EmVsPgdBenchmark.Report> r = EmVsPgdBenchmark.run(new EmVsPgdBenchmark.Config(
        new int[] {2}, 100, 100, 1e-5, 200, 50, 3.0, 1, 0, 1, 5));
    JsonNode root = JSON.valueToTree(r.json());
    assertEquals(List.of("settings", "results"), fieldNames(root));
    assertEquals(List.of("block", "lambda", "tol", "emMaxIter", "pgdMaxIter", "logitScale", "seed",
        "warmups", "reps", "budgetSeconds", "threads", "start", "sigma"),
        fieldNames(root.get("settings")));
    JsonNode perK = root.get("results").get(0);
    assertEquals(List.of("k", "sigmaMaxMean", "solvers", "bestPgdStepSize",
        "speedupExactOverSquarem", "exactPasses", "exactGap", "exactRelativeGap",
        "emRelativeExcessLoss", "squaremRelativeExcessLoss", "speedupEmOverBestPgd",
        "speedupSquaremOverBestPgd"), fieldNames(perK));
    JsonNode em = perK.get("solvers").get(0);
    assertEquals(List.of("solver", "loss", "iterations", "converged", "secondsToConvergence",
        "secondsPerIteration", "finalLoss", "newtonStepsPerPointPerIteration"), fieldNames(em));
    JsonNode exact = perK.get("solvers").get(2);
    assertFalse(exact.has("stepSize") || exact.has("newtonStepsPerPointPerIteration"));
    JsonNode pgd = perK.get("solvers").get(3);
    assertEquals("pgd", pgd.get("solver").asText());
    assertEquals(List.of("solver", "loss", "stepSize", "iterations", "converged",
        "secondsToConvergence", "secondsPerIteration", "finalLoss"), fieldNames(pgd));
    assertTrue(r.table().contains("EM vs PGD"));
  }

  @Test
  void endToEndDetailsAreUnwrappedIntoTheRow() {
    EndToEndBenchmark.Result row = new EndToEndBenchmark.Result(100,
        new EndToEndBenchmark.FitFigures("cce-minibatch", Timing.Stats.of(new double[] {2}), 10,
            "epoch", 0.2, 40, 4, 0.9, 0.8), 1, 2, 3,
        new EndToEndBenchmark.CceDetails(10, new double[] {1, 0.5}, new double[] {3, 2}, 1.5, 1000,
            250), null);
    assertEquals(List.of("n", "method", "fitSeconds", "passes", "pass", "secondsPerPass",
        "sparkJobs", "sparkJobsPerPass", "acc", "nmi", "heapBaselineBytes", "heapPeakSampledBytes",
        "heapPeakPoolsSumBytes", "epochs", "lossPerEpoch", "emIterationsPerEpoch",
        "trainingSeconds", "emMaxIter", "batchSize"), fieldNames(JSON.valueToTree(row)));
    EndToEndBenchmark.Result later = new EndToEndBenchmark.Result(200, row.fit(), 1, 2, 3,
        new EndToEndBenchmark.KMeansDetails(7, 2.5, 20, "k-means||"), 1.1);
    assertEquals(List.of("n", "method", "fitSeconds", "passes", "pass", "secondsPerPass",
        "sparkJobs", "sparkJobsPerPass", "acc", "nmi", "heapBaselineBytes", "heapPeakSampledBytes",
        "heapPeakPoolsSumBytes", "iterations", "trainingCost", "maxIter", "initMode",
        "timePerRowRelativeToSmallestN"), fieldNames(JSON.valueToTree(later)));
  }
}
