package org.ccespark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ccespark.app.InProcess;
import org.ccespark.app.Main;
import org.ccespark.data.GaussianBlobs;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code bench} command on tiny sizes: the structure of its tables and of {@code bench.json},
 * never its timings; and the blob generator's determinism.
 */
class BenchCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private String[] run(String... args) {
    InProcess.Outcome r = InProcess.run(args);
    return new String[] {Integer.toString(r.status()), r.out(), r.err()};
  }

  @Test
  void everyBenchmarkRunsOnTinySizesAndWritesItsJson() throws IOException {
    SharedSpark.session(); // Main.run reuses it for end-to-end
    Path dir = tmp.resolve("bench");
    // scale-out starts real clusters with the project's scripts: run by hand, not here
    String[] r = run("bench", "--only", "em-vs-pgd,kernel,end-to-end", "--output",
        dir.toString(), "--reps", "2", "--warmup", "1",
        "--em-pgd-k", "2,5", "--block", "20", "--em-max-iter", "50", "--pgd-max-iter", "50",
        "--kernel-k", "3,7", "--point-classes", "700", "--sizes", "60,120", "--dim", "4",
        "--k", "3", "--epochs", "1", "--fulldata-em-max-iter", "5", "--warmup-rows", "30",
        "--partitions", "2");
    assertEquals("0", r[0], r[2]);
    String out = r[1];
    assertTrue(out.contains("EM vs PGD"), out);
    assertTrue(out.contains("EM kernel throughput"), out);
    assertTrue(out.contains("End to end"), out);
    assertTrue(Files.isRegularFile(dir.resolve("tables.txt")));

    JsonNode json = JSON.readTree(dir.resolve("bench.json").toFile());
    assertEquals("bench", json.get("command").asText());
    assertTrue(json.get("machine").get("availableProcessors").asInt() >= 1);
    JsonNode b = json.get("benchmarks");

    JsonNode emPgd = b.get("em-vs-pgd");
    assertEquals(2, emPgd.get("results").size());
    for (JsonNode perK : emPgd.get("results")) {
      // em, em-squarem and one row per PGD step size
      int steps = EmVsPgdBenchmark.stepSizes(perK.get("k").asInt(), 20).length;
      assertEquals(3 + steps, perK.get("solvers").size()); // em, em-squarem, exact, PGD steps
      for (JsonNode s : perK.get("solvers")) {
        assertTrue(s.get("iterations").asInt() >= 1);
        assertTrue(s.get("secondsToConvergence").get("median").asDouble() >= 0);
        assertTrue(s.get("secondsPerIteration").has("min"));
      }
      assertTrue(perK.has("bestPgdStepSize") && perK.has("speedupEmOverBestPgd"));
    }

    JsonNode kernel = b.get("kernel");
    assertEquals(2, kernel.get("results").size());
    for (JsonNode perK : kernel.get("results")) {
      assertTrue(perK.get("pointClassesPerSecond").get("median").asDouble() > 0);
      assertTrue(perK.get("newtonStepsPerPoint").asDouble() >= 0);
      assertEquals(2, perK.get("secondsPerIteration").get("reps").asInt());
    }

    JsonNode e2e = b.get("end-to-end");
    assertEquals(2 * EndToEndBenchmark.METHODS.size(), e2e.get("results").size());
    for (JsonNode fit : e2e.get("results")) {
      assertTrue(EndToEndBenchmark.METHODS.contains(fit.get("method").asText()));
      assertTrue(fit.get("fitSeconds").get("median").asDouble() > 0);
      assertTrue(fit.get("heapPeakSampledBytes").asLong() > 0);
      assertTrue(fit.get("passes").asDouble() >= 1);
      // every epoch or K-means iteration runs at least one Spark job
      assertTrue(fit.get("sparkJobs").asLong() >= fit.get("passes").asLong(), fit.toString());
      double acc = fit.get("acc").asDouble();
      assertTrue(acc > 0 && acc <= 1);
      if (fit.get("n").asInt() == 120) {
        assertTrue(fit.has("timePerRowRelativeToSmallestN"));
      }
    }
    assertEquals(2, e2e.get("data").size());
  }

  @Test
  void onlySelectsBenchmarksAndRejectsUnknownNames() throws IOException {
    Path dir = tmp.resolve("kernel-only");
    String[] r = run("bench", "--only", "kernel", "--output", dir.toString(), "--reps", "1",
        "--warmup", "0", "--kernel-k", "4", "--point-classes", "400");
    assertEquals("0", r[0], r[2]);
    JsonNode json = JSON.readTree(dir.resolve("bench.json").toFile());
    assertEquals(List.of("kernel"), List.copyOf(iterable(json.get("benchmarks").fieldNames())));

    String[] bad = run("bench", "--only", "nope", "--output", tmp.resolve("x").toString());
    assertEquals(Integer.toString(Main.USAGE), bad[0]);
    assertTrue(bad[2].startsWith("error: --only"), bad[2]);
    assertTrue(Files.notExists(tmp.resolve("x")));

    String[] memory = run("bench", "--only", "scale-out", "--executor-memory", "lots",
        "--output", tmp.resolve("y").toString());
    assertEquals(Integer.toString(Main.USAGE), memory[0]);
    assertTrue(memory[2].startsWith("error: --executor-memory"), memory[2]);
    assertTrue(Files.notExists(tmp.resolve("y")));
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    java.util.ArrayList<T> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void blobsAreSeededAndIndependentOfPartitioning() {
    Dataset<Row> a = GaussianBlobs.generate(SharedSpark.session(), 50, 3, 4, 7, 1);
    Dataset<Row> b = GaussianBlobs.generate(SharedSpark.session(), 50, 3, 4, 7, 3);
    List<Row> ra = a.orderBy(GaussianBlobs.ROW_COL).collectAsList();
    List<Row> rb = b.orderBy(GaussianBlobs.ROW_COL).collectAsList();
    assertEquals(ra, rb);
    assertEquals(50, ra.size());
    assertEquals(List.of("row", "label", "features"), List.of(a.columns()));
    for (Row row : ra) {
      assertEquals((int) (row.getLong(0) % 4), row.getInt(1));
    }
    Row other = GaussianBlobs.generate(SharedSpark.session(), 50, 3, 4, 8, 1)
        .orderBy(GaussianBlobs.ROW_COL).first();
    assertTrue(!other.equals(ra.get(0)), "another seed gives other data");
  }
}
