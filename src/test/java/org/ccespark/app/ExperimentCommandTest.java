package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.ccespark.experiment.ConfigKeys;
import org.ccespark.report.ResultTables;
import org.ccespark.report.RunRecord;
import org.ccespark.report.Table;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small experiment on 200 rows of the demo sample, run in-process on the shared session. */
class ExperimentCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  @Test
  void writesTablesFiguresAndRawRunsThatRebuildTheTables() throws IOException {
    Path config = tmp.resolve("small.properties");
    Files.writeString(config, String.join("\n",
        "title=small", "datasets=demo", "dataset.demo.sample=200", "methods=cce,kmeans",
        "dataset.demo.features=pca:20",
        "seeds=2", "outputs=table2,table1,figure1,loss,sizes,confusion",
        "params.cce.maxIter=2", "params.cce.batchSize=100", "tune.cce.stepSize=0.1,0.5",
        "tune.sample=100", "table1.k=2", "table1.block=50", "table1.reps=1", "table1.budget=1",
        ""));
    Path output = tmp.resolve("out");
    InProcess.Outcome run = InProcess.run("experiment", "--config", config.toString(), "--output",
        output.toString());
    String printed = run.out();
    assertEquals(Main.OK, run.status(), run.err() + printed);
    assertTrue(printed.contains("[6/6]"), printed); // 2 tuning + 2 x 2 reported runs
    assertTrue(printed.contains("ETA"), printed);
    assertTrue(printed.contains("dataset demo: features pca:20 ("), printed);

    List<RunRecord> runs = RunRecord.fromTable(Table.parseCsv(
        Files.readString(output.resolve("runs.csv"))));
    assertEquals(6, runs.size());
    assertEquals(2, runs.stream().filter(r -> r.phase().equals("tune")).count());
    assertTrue(runs.stream().allMatch(r -> r.rows() == (r.phase().equals("tune") ? 100 : 200)));
    // table2.csv rebuilds from runs.csv
    assertEquals(ResultTables.clusteringLong(runs, List.of("demo"), List.of("cce", "kmeans")),
        Table.parseCsv(Files.readString(output.resolve("table2.csv"))));
    assertEquals(ResultTables.table2Markdown(runs, List.of("demo"), List.of("cce", "kmeans"))
        .toMarkdown(), Files.readString(output.resolve("table2.md")));
    // the chosen step size is the tuning run with the best ACC, and the reported runs use it
    JsonNode chosen = JSON.readTree(output.resolve("chosen.json").toFile());
    RunRecord best = runs.stream().filter(r -> r.phase().equals("tune"))
        .reduce((a, b) -> b.acc() > a.acc() ? b : a).orElseThrow();
    assertTrue(best.params().contains("stepSize=" + chosen.get("demo/cce").get("stepSize")
        .asText()));
    assertTrue(runs.stream().filter(r -> r.phase().equals("main") && r.method().equals("cce"))
        .allMatch(r -> r.params().equals(best.params())));
    JsonNode details = JSON.readTree(output.resolve("runs.json").toFile());
    assertEquals(2, details.get(2).get("lossPerEpoch").size());
    assertEquals(10, details.get(2).get("confusion").size());
    assertTrue(Files.readString(output.resolve("table1.md")).contains("em-squarem"));
    for (String png : List.of("figure1.png", "loss-demo.png", "sizes-demo.png",
        "confusion-demo-cce.png", "confusion-demo-kmeans.png")) {
      BufferedImage img = ImageIO.read(output.resolve("figures").resolve(png).toFile());
      assertNotNull(img, png);
      assertEquals(800, img.getWidth());
      assertEquals(500, img.getHeight());
    }
    assertTrue(Files.readString(output.resolve("summary.md")).contains("## Table 2"));

    // an existing output is kept unless --overwrite; nothing is left beside it
    InProcess.Outcome again = InProcess.run("experiment", "--config", config.toString(),
        "--output", output.toString());
    assertEquals(Main.FAILED, again.status());
    assertTrue(again.err().contains("already exists"), again.err());
    try (Stream<Path> s = Files.list(tmp)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().contains(".tmp-")));
    }
  }

  @Test
  void reportedRunsWithRestartsShareNoFit() throws IOException {
    Path config = tmp.resolve("restarts.properties");
    Files.writeString(config, String.join("\n",
        "datasets=demo", "dataset.demo.sample=200", "dataset.demo.features=pca:20",
        "methods=cce,kmeans", "seeds=2", "restarts=2", "outputs=table2", "params.cce.maxIter=2",
        "params.cce.batchSize=100", ""));
    Path output = tmp.resolve("restarts");
    InProcess.Outcome run = InProcess.run("experiment", "--config", config.toString(), "--output",
        output.toString());
    assertEquals(Main.OK, run.status(), run.err() + run.out());
    JsonNode details = JSON.readTree(output.resolve("runs.json").toFile());
    // runs 1 and 2 of each method: seeds 1, 2 and 3, 4, so their fits' losses (costs) differ
    for (int[] pair : new int[][] {{0, 1}, {2, 3}}) {
      JsonNode a = details.get(pair[0]);
      JsonNode b = details.get(pair[1]);
      String field = a.get("method").asText().equals("kmeans") ? "restartCosts" : "restartLosses";
      List<Double> all = new ArrayList<>();
      for (JsonNode r : List.of(a, b)) {
        assertEquals(2, r.get(field).size(), r.toString());
        r.get(field).forEach(v -> all.add(v.asDouble()));
      }
      assertEquals(4, all.stream().distinct().count(), field + " " + all);
      // every restart is scored; the kept one's scores are the run's
      for (JsonNode r : List.of(a, b)) {
        JsonNode scores = r.get("restartScores");
        assertEquals(2, scores.size(), r.toString());
        JsonNode kept = scores.get(r.get("chosenRestart").asInt());
        for (String s : List.of("acc", "nmi", "ari")) {
          assertEquals(r.get(s).asDouble(), kept.get(s).asDouble(), 1e-12, s + " " + r);
        }
      }
    }
  }

  @Test
  void aTuningPointWhoseTrainingDivergesIsRecordedAsFailedAndNotChosen() throws IOException {
    Path config = tmp.resolve("diverging.properties");
    Files.writeString(config, String.join("\n",
        "datasets=demo", "dataset.demo.sample=200", "dataset.demo.features=pca:20",
        "methods=cce-pgd", "seeds=1", "outputs=table2", "params.cce-pgd.maxIter=2",
        "params.cce-pgd.batchSize=100", "params.cce-pgd.pgdStepSize=0.01",
        "tune.cce-pgd.stepSize=1e300,0.1", "tune.sample=100", ""));
    Path output = tmp.resolve("diverging");
    InProcess.Outcome run = InProcess.run("experiment", "--config", config.toString(), "--output",
        output.toString());
    String printed = run.out();
    assertEquals(Main.OK, run.status(), run.err() + printed);
    assertTrue(printed.contains("stepSize=1e300]: failed, not chosen (")
        && printed.contains("not finite"), printed);
    assertTrue(printed.contains("[3/3]"), printed);
    JsonNode chosen = JSON.readTree(output.resolve("chosen.json").toFile());
    assertEquals("0.1", chosen.get("demo/cce-pgd").get("stepSize").asText());
    String tuning = Files.readString(output.resolve("tuning.md"));
    assertTrue(tuning.contains("failed (loss not finite)"), tuning);
    List<RunRecord> runs = RunRecord.fromTable(Table.parseCsv(
        Files.readString(output.resolve("runs.csv"))));
    assertEquals(3, runs.size());
    assertTrue(Double.isNaN(runs.get(0).acc()) && !Double.isNaN(runs.get(1).acc()), runs.toString());
  }

  @Test
  void table5HasTheOnlySeedsRowTrainedOnTheSeedsWithTheSameNumberOfSteps() throws IOException {
    Path config = tmp.resolve("semi.properties");
    Files.writeString(config, String.join("\n",
        "datasets=demo", "dataset.demo.sample=400", "methods=cce", "seeds=1",
        "outputs=table5", "semi.fractions=0.1", "params.cce.maxIter=2",
        "params.cce.batchSize=100", "params.cce.lambda=50", ""));
    Path output = tmp.resolve("semi");
    InProcess.Outcome run = InProcess.run("experiment", "--config", config.toString(), "--output",
        output.toString());
    String printed = run.out();
    assertEquals(Main.OK, run.status(), run.err() + printed);
    assertTrue(printed.contains("[2/2]"), printed); // only seeds + cce

    List<RunRecord> runs = RunRecord.fromTable(Table.parseCsv(
        Files.readString(output.resolve("runs.csv"))));
    assertEquals(List.of(ResultTables.ONLY_SEEDS, "cce"), runs.stream().map(RunRecord::method)
        .toList());
    RunRecord only = runs.get(0);
    JsonNode details = JSON.readTree(output.resolve("runs.json").toFile());
    long seeds = details.get(0).get("trainedRows").asLong();
    assertTrue(seeds >= 20 && seeds <= 70, "about 10% of 400 rows: " + seeds);
    // cce: 2 epochs of 4 batches = 8 steps; the seeds fit in one batch of 100: 8 epochs. Only
    // the classifier's settings are taken over (not lambda).
    assertEquals("batchSize=100;maxIter=8", only.params());
    assertEquals(8, details.get(0).get("params").get("maxIter").asInt());
    assertEquals("supervised-shannon", details.get(0).get("params").get("method").asText());
    assertEquals(400, only.rows());
    // Scored like the semi-supervised runs: accuracy on the unlabelled rows, far above chance.
    assertTrue(only.accuracy() > 0.3 && only.accuracy() <= 1, "only seeds " + only);

    List<String> rows = List.of(ResultTables.ONLY_SEEDS, "cce");
    double[] fractions = {0.1};
    assertEquals(ResultTables.table5Long(runs, fractions, List.of("demo"), rows),
        Table.parseCsv(Files.readString(output.resolve("table5.csv"))));
    String md = Files.readString(output.resolve("table5.md"));
    assertEquals(ResultTables.table5Markdown(runs, fractions, List.of("demo"), rows)
        .toMarkdown(), md);
    assertTrue(md.contains("| Only seeds |") && md.contains("| + CCE (ours, eq. 11) |"), md);
  }

  @Test
  void helpDocumentsEveryConfigurationKey() {
    InProcess.Outcome shown = InProcess.run("experiment", "--help");
    assertEquals(Main.OK, shown.status());
    String help = shown.out().replaceAll("\\s+", " ");
    for (String[] key : ConfigKeys.KEYS) {
      assertTrue(help.contains(key[0] + " [default: "), "help documents " + key[0]);
    }
  }

  @Test
  void configErrorsAreUsageErrorsNamingTheKey() throws IOException {
    Path config = tmp.resolve("bad.properties");
    Files.writeString(config, "datasets=demo\nseeds=0\n");
    InProcess.Outcome bad = InProcess.run("experiment", "--config", config.toString(),
        "--output", tmp.resolve("o").toString());
    assertEquals(Main.USAGE, bad.status());
    assertTrue(bad.err().contains("seeds must be at least 1"), bad.err());
    Files.writeString(config, "datasets=nosuch\n");
    InProcess.Outcome missing = InProcess.run("experiment", "--config", config.toString(),
        "--output", tmp.resolve("o").toString());
    assertEquals(Main.FAILED, missing.status());
    assertTrue(missing.err().contains("nosuch"), missing.err());
    assertFalse(Files.exists(tmp.resolve("o")));
  }
}
