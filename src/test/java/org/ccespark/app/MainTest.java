package org.ccespark.app;

import static org.ccespark.app.InProcess.run;
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
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ccespark.app.InProcess.Outcome;
import org.ccespark.ml.CollisionClusteringModel;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ccespark.output.OutputDir;

/**
 * The command line run in-process through {@link Main#run} on the shared test session: outputs of
 * {@code cluster} with CCE and K-means, the failures that must leave nothing behind, help, and a
 * one-seed demo.
 */
class MainTest {
  private static final int ROWS = 60;
  private static final int DIM = 4;
  private static final int BLOBS = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session(); // Main.run reuses it
  }

  /** Three well-separated blobs in 4-D: columns x0..x3 and label, blob i % 3 centred at 8·e_i. */
  private Path blobsCsv() throws IOException {
    Random rnd = new Random(7);
    List<String> lines = new ArrayList<>();
    lines.add("x0,x1,x2,x3,label");
    for (int i = 0; i < ROWS; i++) {
      int label = i % BLOBS;
      StringBuilder sb = new StringBuilder();
      for (int d = 0; d < DIM; d++) {
        sb.append(String.format("%.4f,", rnd.nextGaussian() + (d == label ? 8.0 : 0.0)));
      }
      lines.add(sb.append(label).toString());
    }
    return Files.write(tmp.resolve("blobs.csv"), lines);
  }

  private String[] clusterArgs(Path input, Path output, String... extra) {
    List<String> args = new ArrayList<>(List.of("cluster", "--input", input.toString(),
        "--label-col", "label", "--k", "3", "--output", output.toString(), "--epochs", "2",
        "--batch-size", "20"));
    args.addAll(Arrays.asList(extra));
    return args.toArray(new String[0]);
  }

  /** Whatever {@code tmp} holds besides the input files: no temporary folder may remain. */
  private List<String> leftovers() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")
          || n.contains(".old-")).toList();
    }
  }

  private static List<String> lines(Path p) throws IOException {
    return Files.readAllLines(p);
  }

  @Test
  void clusterWritesPredictionsMetricsAndModel() throws IOException {
    Path out = tmp.resolve("out");
    Outcome r = run(clusterArgs(blobsCsv(), out));

    assertEquals(Main.OK, r.status(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().contains("ACC"), r.out());
    List<String> csv = lines(out.resolve("predictions.csv"));
    assertEquals("row,label,prediction", csv.get(0));
    assertEquals(ROWS + 1, csv.size());
    for (int i = 0; i < ROWS; i++) {
      String[] f = csv.get(i + 1).split(",");
      assertEquals(String.valueOf(i), f[0], "rows in order");
      assertEquals(String.valueOf(i % BLOBS), f[1], "label of row " + i);
      int cluster = Integer.parseInt(f[2]);
      assertTrue(cluster >= 0 && cluster < BLOBS, csv.get(i + 1));
    }

    Dataset<Row> parquet = SharedSpark.session().read().parquet(out.resolve("predictions")
        .toString());
    assertEquals(List.of("row", "label", "prediction", "probability"),
        Arrays.asList(parquet.columns()));
    assertEquals(ROWS, parquet.count());

    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals("cce", m.get("method").asText());
    for (String metric : List.of("acc", "nmi", "ari")) {
      assertTrue(m.get(metric).isNumber(), metric + " in " + m);
      double v = m.get(metric).asDouble();
      assertTrue(v <= 1.0 + 1e-9 && v >= -1.0, metric + " = " + v);
    }
    assertEquals(ROWS, m.get("rows").asLong());
    long sizes = 0;
    for (JsonNode s : m.get("clusterSizes")) {
      sizes += s.asLong();
    }
    assertEquals(ROWS, sizes);
    assertEquals(2, m.get("lossPerEpoch").size());
    assertEquals(2, m.get("emIterationsPerEpoch").size());
    assertEquals(2, m.get("params").get("maxIter").asInt());
    assertEquals(20, m.get("params").get("batchSize").asInt());
    assertEquals(100.0, m.get("params").get("lambda").asDouble());
    assertTrue(m.get("seconds").get("fit").asDouble() > 0);
    assertTrue(m.get("seconds").get("total").asDouble() >= m.get("seconds").get("fit").asDouble());
    assertEquals(SharedSpark.session().version(), m.get("spark").get("version").asText());
    assertEquals("local[2]", m.get("spark").get("master").asText());

    CollisionClusteringModel model = CollisionClusteringModel.load(out.resolve("model").toString());
    assertEquals(DIM, model.numFeatures());
    assertEquals(BLOBS, model.getK());
    assertEquals(List.of(), leftovers());
  }

  @Test
  void kmeansMethodWritesTheSameOutputs() throws IOException {
    Path out = tmp.resolve("km");
    Outcome r = run(clusterArgs(blobsCsv(), out, "--method", "kmeans", "--seed", "3"));

    assertEquals(Main.OK, r.status(), r.err());
    assertEquals("row,label,prediction", lines(out.resolve("predictions.csv")).get(0));
    Dataset<Row> parquet = SharedSpark.session().read().parquet(out.resolve("predictions")
        .toString());
    assertEquals(List.of("row", "label", "prediction"), Arrays.asList(parquet.columns()));
    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals("kmeans", m.get("method").asText());
    assertEquals(3, m.get("params").get("seed").asLong());
    // Three blobs 8 standard deviations apart: K-means finds them.
    assertEquals(1.0, m.get("acc").asDouble(), 1e-9);
    assertTrue(m.get("trainingCost").isNumber());
    KMeansModel model = KMeansModel.load(out.resolve("model").toString());
    assertEquals(BLOBS, model.getK());
  }

  @Test
  void withoutLabelsThereIsNoLabelColumnAndNoScores() throws IOException {
    Path out = tmp.resolve("nolabel");
    Outcome r = run("cluster", "--input", blobsCsv().toString(), "--k", "3", "--output",
        out.toString(), "--epochs", "2");

    assertEquals(Main.OK, r.status(), r.err());
    // Without --label-col the label column is one more feature.
    assertEquals("row,prediction", lines(out.resolve("predictions.csv")).get(0));
    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    assertFalse(m.has("acc"));
    assertEquals(5, m.get("input").get("features").asInt());
  }

  @Test
  void overwriteReplacesAnExistingOutput() throws IOException {
    Path out = Files.createDirectory(tmp.resolve("old"));
    Files.writeString(out.resolve("marker.txt"), "old");
    Files.writeString(out.resolve(OutputDir.MARKER), ""); // an earlier output of cce
    Outcome r = run(clusterArgs(blobsCsv(), out, "--overwrite"));

    assertEquals(Main.OK, r.status(), r.err());
    assertFalse(Files.exists(out.resolve("marker.txt")));
    assertTrue(Files.exists(out.resolve("metrics.json")));
    assertEquals(List.of(), leftovers());
  }

  /** Runs a failing command: non-zero status, one error line, no output and no temporary folder. */
  private void assertFailsCleanly(Path out, String expected, String... args) throws IOException {
    Outcome r = run(args);
    assertNotEquals(Main.OK, r.status());
    assertEquals(1, r.errLines().size(), r.err());
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("error: "), line);
    assertTrue(line.contains(expected), line);
    assertFalse(Files.exists(out), "no output folder");
    assertEquals(List.of(), leftovers());
  }

  @Test
  void missingInputFails() throws IOException {
    Path out = tmp.resolve("out");
    assertFailsCleanly(out, "does not exist", clusterArgs(tmp.resolve("nope.csv"), out));
  }

  @Test
  void nanValueFailsNamingTheRow() throws IOException {
    Path csv = Files.write(tmp.resolve("nan.csv"),
        List.of("a,b,label", "1,2,0", "3,4,1", "5,NaN,0", "7,8,1"));
    Path out = tmp.resolve("out");
    assertFailsCleanly(out, "Row 2 of", "cluster", "--input", csv.toString(), "--label-col",
        "label", "--k", "2", "--output", out.toString());
  }

  @Test
  void kBelowTwoFails() throws IOException {
    Path out = tmp.resolve("out");
    assertFailsCleanly(out, "--k", clusterArgs(blobsCsv(), out, "--k", "1"));
  }

  @Test
  void kAboveRowsFails() throws IOException {
    Path out = tmp.resolve("out");
    Path csv = blobsCsv();
    List<String> args = new ArrayList<>(Arrays.asList(clusterArgs(csv, out)));
    args.set(args.indexOf("--k") + 1, String.valueOf(ROWS + 1));
    assertFailsCleanly(out, "larger than the number of rows (" + ROWS + ")",
        args.toArray(new String[0]));
  }

  @Test
  void negativeLambdaFails() throws IOException {
    Path out = tmp.resolve("out");
    assertFailsCleanly(out, "--lambda", clusterArgs(blobsCsv(), out, "--lambda", "-1"));
  }

  @Test
  void unknownOptionFails() throws IOException {
    Path out = tmp.resolve("out");
    assertFailsCleanly(out, "unknown option '--lamda'", clusterArgs(blobsCsv(), out, "--lamda",
        "1"));
  }

  @Test
  void missingRequiredOptionFails() throws IOException {
    Path out = tmp.resolve("out");
    assertFailsCleanly(out, "--k", "cluster", "--input", blobsCsv().toString(), "--output",
        out.toString());
  }

  @Test
  void existingOutputIsLeftUntouched() throws IOException {
    Path out = Files.createDirectory(tmp.resolve("exists"));
    Files.writeString(out.resolve("marker.txt"), "keep me");
    Outcome r = run(clusterArgs(blobsCsv(), out));

    assertNotEquals(Main.OK, r.status());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.errLines().get(0).startsWith("error: "));
    assertTrue(r.errLines().get(0).contains("already exists"), r.err());
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(List.of("marker.txt"), s.map(p -> p.getFileName().toString()).toList());
    }
    assertEquals("keep me", Files.readString(out.resolve("marker.txt")));
    assertEquals(List.of(), leftovers());
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    Outcome tool = run("--help");
    assertEquals(Main.OK, tool.status());
    assertTrue(tool.out().contains("cluster") && tool.out().contains("demo"), tool.out());

    Outcome cluster = run("cluster", "--help");
    assertEquals(Main.OK, cluster.status());
    List<String> heads = Main.COMMANDS.get(0).optionHeads();
    assertTrue(heads.contains("--k K") && heads.contains("--lambda X"), heads.toString());
    for (String head : heads) {
      assertTrue(cluster.out().contains("  " + head), head + " in\n" + cluster.out());
    }
    assertTrue(cluster.out().contains("[default: 100 for cce, cce-pgd; 25 for sela"),
        "lambda's default");
    assertEquals(run("help", "cluster").out(), cluster.out());
    assertEquals(Main.OK, run("demo", "-h").status());
  }

  @Test
  void helpNeverRunsANameIntoItsDescription() {
    // every row of a two-column list: the name, then two spaces or the end of the line
    String tool = run("--help").out();
    for (String name : Stream.concat(Main.COMMANDS.stream().map(Cli.Entry::name),
        Stream.of("help", "-h, --help", "-V, --version")).toList()) {
      assertTrue(tool.lines().anyMatch(l -> l.startsWith("  " + name + "  ")),
          name + " in\n" + tool);
    }
    assertFalse(tool.contains("experimentthe"), tool);
    for (Cli.Entry c : Main.COMMANDS) {
      String help = run(c.name(), "--help").out();
      for (String option : c.optionHeads()) {
        String head = "  " + option;
        assertTrue(help.lines().anyMatch(l -> l.equals(head) || l.startsWith(head + "  ")),
            c.name() + " " + option + " in\n" + help);
      }
    }
  }

  @Test
  void versionNamesTheProjectSparkAndJava() {
    for (String flag : List.of("--version", "-V")) {
      Outcome r = run(flag);
      assertEquals(Main.OK, r.status(), r.err());
      List<String> lines = r.out().lines().toList();
      assertEquals(3, lines.size(), r.out());
      assertTrue(lines.get(0).matches("cce \\(cce-spark\\) \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"),
          r.out());
      assertTrue(lines.get(1).startsWith("Spark " + org.apache.spark.SparkBuildInfo.spark_version()
          + ", Scala 2.13."), r.out());
      assertTrue(lines.get(2).startsWith("Java " + Runtime.version().feature() + "."), r.out());
    }
    assertEquals(Main.USAGE, run("--version", "cluster").status());
  }

  @Test
  void mistypedCommandsAndOptionsGetASuggestion() {
    for (String[] args : List.of(new String[] {"clustr"}, new String[] {"help", "clustr"})) {
      Outcome r = run(args);
      assertEquals(Main.USAGE, r.status());
      assertEquals(1, r.errLines().size(), r.err());
      assertTrue(r.errLines().get(0).startsWith("error: unknown command 'clustr'; did you mean"
          + " 'cluster'?"), r.err());
    }
    assertTrue(run("--verison").err().contains("did you mean '--version'?"));
    assertFalse(run("frobnicate").err().contains("did you mean"));

    Path out = tmp.resolve("suggested");
    Outcome r = run("cluster", "--input", "x.csv", "--k", "2", "--output", out.toString(),
        "--sed", "1");
    assertEquals(Main.USAGE, r.status());
    assertEquals(List.of("error: unknown option '--sed' for 'cluster'; did you mean '--seed'?"
        + " (see 'cce cluster --help')"), r.errLines());
    assertFalse(Files.exists(out));
  }

  @Test
  void noCommandOrUnknownCommandIsAUsageError() {
    for (String[] args : List.of(new String[0], new String[] {"clusters"})) {
      Outcome r = run(args);
      assertEquals(Main.USAGE, r.status());
      assertEquals(1, r.errLines().size(), r.err());
      assertTrue(r.errLines().get(0).startsWith("error: "));
    }
  }

  @Test
  void sparkJobFailuresAreReportedByTheirCause() {
    SparkException wrapped = new SparkException("Job aborted due to stage failure: ...\nmore",
        new IllegalArgumentException("Row 5 of 'x' is bad.\nsecond line"));
    assertEquals("Row 5 of 'x' is bad.", Main.describe(wrapped));
  }

  @Test
  void demoWithOneSeedWritesMetricsAndPredictions() throws IOException {
    Path out = tmp.resolve("demo");
    Outcome r = run("demo", "--seeds", "1", "--epochs", "1", "--output", out.toString());

    assertEquals(Main.OK, r.status(), r.err());
    assertTrue(r.out().contains("K-means") && r.out().contains("±"), r.out());
    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    for (String method : List.of("cce", "kmeans")) {
      JsonNode acc = m.get("methods").get(method).get("acc");
      assertEquals(1, acc.get("perSeed").size());
      assertTrue(acc.get("mean").asDouble() > 0.1, method + " ACC " + acc);
      List<String> csv = lines(out.resolve("predictions-" + method + ".csv"));
      assertEquals("row,label,seed1", csv.get(0));
      assertEquals(2001, csv.size());
    }
    assertEquals(List.of(), leftovers());
  }
}
