package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.ccespark.data.DemoData;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code cluster --seed-label-col}: semi-supervised mode through {@link Main#run} on the bundled
 * 2,000 MNIST digits with the true label kept on every tenth row as its seed label, and the
 * errors for bad seed labels.
 */
class ClusterSeedLabelsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path shared;

  @TempDir
  Path tmp;

  /** The demo digits as Parquet: row, label, seed (the label on rows 0-9, 100-109, ..., else null). */
  private static Path digits;

  @BeforeAll
  static void writeDigits() {
    Dataset<Row> demo = DemoData.load(SharedSpark.session());
    digits = shared.resolve("digits.parquet");
    // The digits' labels cycle with the row (row % 10), so take rows 0-9, 100-109, ...: every
    // class gets seeds.
    demo.withColumn("seed", functions.when(functions.floor(functions.col("row").divide(10))
            .mod(10).equalTo(0), functions.col("label")))
        .write().parquet(digits.toString());
  }

  private static List<String> args(Path input, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("cluster", "--input", input.toString(), "--k", "10",
        "--label-col", "label", "--seed-label-col", "seed", "--output", out.toString(),
        "--epochs", "2"));
    a.addAll(Arrays.asList(extra));
    return a;
  }

  @ParameterizedTest
  @ValueSource(strings = {"cce", "migd"})
  void seedLabelsNameTheClustersAndUnlabelledRowsAreScored(String method) throws IOException {
    Path out = tmp.resolve(method);
    InProcess.Outcome r = InProcess.run(args(digits, out, "--method", method)
        .toArray(new String[0]));
    assertEquals(Main.OK, r.status(), r.err());
    assertTrue(r.out().contains("200 with seed labels"), r.out());
    assertTrue(r.out().contains("unlabelled rows (1800)"), r.out());

    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals("seed", m.get("seedLabels").get("column").asText());
    assertEquals(200, m.get("seedLabels").get("rows").asLong());
    assertEquals(2.0, m.get("seedLabels").get("weight").asDouble());
    assertEquals("seedLabel", m.get("params").get("seedLabelCol").asText());
    JsonNode u = m.get("unlabelled");
    assertEquals(1800, u.get("rows").asLong());

    // Recompute the unlabelled rows' plain accuracy from predictions.csv.
    List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
    assertEquals("row,label,seedLabel,prediction", csv.get(0));
    assertEquals(DemoData.NUM_ROWS + 1, csv.size());
    long correct = 0;
    long seedsKept = 0;
    for (int i = 1; i < csv.size(); i++) {
      String[] f = csv.get(i).split(",", -1);
      long row = Long.parseLong(f[0]);
      assertEquals(i - 1, row, "rows in order, ids kept");
      assertEquals(row / 10 % 10 == 0, !f[2].isEmpty(), "seed label of row " + row);
      if (f[2].isEmpty()) {
        correct += f[1].equals(f[3]) ? 1 : 0;
      } else {
        seedsKept += f[2].equals(f[3]) ? 1 : 0;
      }
    }
    assertEquals(correct / 1800.0, u.get("accuracy").asDouble(), 1e-12);
    // The seeds name the clusters: without them cluster c would match class c by chance only
    // (about 0.1); with 10% seeds the plain accuracy on the other rows is far above it.
    assertTrue(u.get("accuracy").asDouble() > 0.4, method + " unlabelled accuracy " + u);
    assertTrue(seedsKept > 150, method + ": " + seedsKept + " of 200 seeds predicted as labelled");
    // Hungarian-matched scores on the unlabelled rows and on all rows are both reported.
    for (String metric : List.of("acc", "nmi", "ari")) {
      assertTrue(u.get(metric).isNumber() && m.get(metric).isNumber(), metric);
    }
    assertTrue(u.get("acc").asDouble() >= u.get("accuracy").asDouble() - 1e-12,
        "matched ACC is at least the plain accuracy");
  }

  /** A run that must fail before writing anything: one error line naming the problem. */
  private void assertFails(String expected, List<String> args) {
    InProcess.Outcome r = InProcess.run(args.toArray(new String[0]));
    assertNotEquals(Main.OK, r.status());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.errLines().get(0).contains(expected), r.err());
    assertFalse(Files.exists(tmp.resolve("out")));
  }

  private Path csv(String... lines) throws IOException {
    List<String> all = new ArrayList<>(List.of("a,b,label,seed"));
    all.addAll(List.of(lines));
    return Files.write(tmp.resolve("in.csv"), all);
  }

  @Test
  void outOfRangeSeedLabelNamesTheRow() throws IOException {
    Path in = csv("1,2,0,", "3,4,1,1", "5,6,0,0", "7,8,1,", "0,1,0,2");
    List<String> a = args(in, tmp.resolve("out"));
    a.set(a.indexOf("--k") + 1, "2");
    assertFails("Row 4 of '" + in + "' has seed label 2 in column 'seed', which is not a class"
        + " index in [0, 2)", a);
  }

  @Test
  void nonIntegerSeedLabelNamesTheRow() throws IOException {
    Path in = csv("1,2,0,", "3,4,1,0.5", "5,6,0,0", "7,8,1,", "0,1,0,1");
    List<String> a = args(in, tmp.resolve("out"));
    a.set(a.indexOf("--k") + 1, "2");
    assertFails("Row 1 of '" + in + "' has seed label 0.5", a);
  }

  @Test
  void seedLabelColumnIsNotAFeature() throws IOException {
    Path in = csv("1,2,0,", "3,4,1,1", "5,6,0,0", "7,8,1,", "0,1,0,1");
    List<String> a = args(in, tmp.resolve("out"));
    a.set(a.indexOf("--k") + 1, "2");
    InProcess.Outcome r = InProcess.run(a.toArray(new String[0]));
    assertEquals(Main.OK, r.status(), r.err());
    JsonNode m = JSON.readTree(tmp.resolve("out").resolve("metrics.json").toFile());
    assertEquals(2, m.get("input").get("features").asInt());
    assertEquals(3, m.get("seedLabels").get("rows").asLong());
    assertEquals(2, m.get("unlabelled").get("rows").asLong());
  }

  @Test
  void unlabelledRowsWithoutATrueLabelAreLeftOutOfTheirScores() throws IOException {
    // The true label is known only where the seed is: nothing to score on the other rows.
    Path in = csv("1,2,,", "3,4,1,1", "5,6,0,0", "7,8,,", "0,1,1,1");
    List<String> a = args(in, tmp.resolve("out"));
    a.set(a.indexOf("--k") + 1, "2");
    InProcess.Outcome r = InProcess.run(a.toArray(new String[0]));
    assertEquals(Main.OK, r.status(), r.err());
    JsonNode u = JSON.readTree(tmp.resolve("out").resolve("metrics.json").toFile())
        .get("unlabelled");
    assertEquals(2, u.get("rows").asLong());
    assertFalse(u.has("accuracy"), u.toString());
  }

  @Test
  void kmeansMissingColumnAndLibSvmAreRefused() throws IOException {
    Path in = csv("1,2,0,", "3,4,1,1");
    List<String> km = args(in, tmp.resolve("out"), "--method", "kmeans");
    assertFails("K-means has no semi-supervised mode", km);
    List<String> missing = args(in, tmp.resolve("out"));
    missing.set(missing.indexOf("seed"), "seeds");
    assertFails("Seed-label column 'seeds' is not in", missing);
    Path svm = Files.write(tmp.resolve("in.libsvm"), List.of("0 1:1.0 2:2.0", "1 1:3.0 2:4.0"));
    List<String> libsvm = args(svm, tmp.resolve("out"));
    libsvm.set(libsvm.indexOf("--k") + 1, "2");
    assertFails("LibSVM input", libsvm);
  }
}
