package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.deep.DatasetImages;
import org.ccespark.deep.DeepClusteringTrainer;
import org.ccespark.deep.DeepModel;
import org.ccespark.deep.DeepNetwork;
import org.ccespark.deep.DeepSettings;
import org.ccespark.deep.ImageAugmentation;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train-deep} end to end on real digits (VGG4, one short epoch), and its errors. */
class TrainDeepCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session(); // Main.run reuses it
  }

  @Test
  void trainsVgg4AndEveryOutputReadsBack() throws Exception {
    Path out = tmp.resolve("deep");
    var run = InProcess.run("train-deep", "--input", "demo", "--limit", "200", "--network",
        "vgg4", "--epochs", "1", "--batch-size", "100", "--device", "cpu", "--seed", "3",
        "--held-out", "demo", "--held-out-limit", "100", "--output", out.toString());
    assertEquals(0, run.status(), run.err());
    assertTrue(run.out().contains("epoch 1/1: loss"), run.out());

    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(200, metrics.get("images").asInt());
    assertEquals("vgg4-grey28", metrics.get("network").asText());
    assertEquals(4608, metrics.get("featureDimension").asInt());
    assertEquals(200, metrics.get("scoredRows").asInt());
    double acc = metrics.get("acc").asDouble();
    assertTrue(acc >= 0.1 && acc <= 1, metrics.toString());
    assertEquals(1, metrics.get("history").size());
    assertTrue(metrics.get("history").get(0).get("heldOutAccuracy").isNumber(), metrics.toString());

    List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
    assertEquals("row,label,prediction", csv.get(0));
    assertEquals(201, csv.size());
    Dataset<Row> preds = SharedSpark.session().read().parquet(out.resolve("predictions").toString());
    assertEquals(200, preds.count());

    // the learned features are a feature folder that cluster reads
    Path clusters = tmp.resolve("clusters");
    var cl = InProcess.run("cluster", "--input", out.resolve("features").toString(), "--label-col",
        "label", "--k", "10", "--epochs", "1", "--em-max-iter", "50", "--output",
        clusters.toString());
    assertEquals(0, cl.status(), cl.err());
    assertEquals(4608, JSON.readTree(clusters.resolve("metrics.json").toFile()).get("input")
        .get("features").asInt());

    // the model folder rebuilds the network: same predictions as the run wrote
    DeepModel model = DeepModel.read(out.resolve("model"));
    assertEquals(new Shape(1, 28, 28), model.imageShape());
    int[] written = preds.orderBy("row").select("prediction").collectAsList().stream()
        .mapToInt(r -> r.getInt(0)).toArray();
    try (ImageDataset digits = DatasetCatalog.open("demo");
        DeepNetwork net = model.load(out.resolve("model"), Device.cpu())) {
      int[] idx = new org.ccespark.data.ImageFrames.Selection(200, 3L).indices(digits.size());
      DatasetImages images = new DatasetImages(digits, idx, model.imageShape());
      DeepClusteringTrainer t = new DeepClusteringTrainer(net,
          DeepSettings.paperDefaults("vgg4", "cce", 3), ImageAugmentation.NONE,
          model.normalization());
      assertArrayEquals(written, t.predict(images, 50, null, null));
    }
  }

  /** --method supervised-shannon trains on the labels; the features are vgg4-slim's 512. */
  @Test
  void trainsSupervisedWithTheLabels() throws Exception {
    Path out = tmp.resolve("supervised");
    var run = InProcess.run("train-deep", "--input", "demo", "--limit", "100", "--network",
        "vgg4-slim", "--method", "supervised-shannon", "--epochs", "2", "--batch-size", "50",
        "--augmentation-weight", "0", "--lr-head", "1e-3", "--lr-backbone", "1e-3", "--device",
        "cpu", "--output", out.toString());
    assertEquals(0, run.status(), run.err());
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals("supervised-shannon", metrics.get("settings").get("method").asText());
    assertEquals("0.0", metrics.get("settings").get("lambda").asText());
    assertEquals("vgg4-grey28-slim", metrics.get("network").asText());
    assertEquals(512, metrics.get("featureDimension").asInt());
    assertEquals(100, metrics.get("scoredRows").asInt());
    JsonNode history = metrics.get("history");
    assertEquals(0, history.get(0).get("solverIterations").asDouble());
    assertTrue(history.get(1).get("loss").asDouble() < history.get(0).get("loss").asDouble(),
        history.toString());
    assertEquals(100, SharedSpark.session().read().parquet(out.resolve("features").toString())
        .count());

    var seeds = InProcess.run("train-deep", "--input", "demo", "--method", "supervised-shannon",
        "--seed-fraction", "0.1", "--output", tmp.resolve("never").toString());
    assertEquals(2, seeds.status());
    assertTrue(seeds.err().contains("--seed-fraction does not apply"), seeds.err());
  }

  @Test
  void badOptionsAreOneClearLineAndWriteNothing() throws Exception {
    Path out = tmp.resolve("never");
    var frac = InProcess.run("train-deep", "--input", "demo", "--seed-fraction", "1.5",
        "--output", out.toString());
    assertEquals(2, frac.status());
    assertTrue(frac.err().contains("--seed-fraction"), frac.err());
    var resume = InProcess.run("train-deep", "--input", "demo", "--resume", "--output",
        out.toString());
    assertEquals(2, resume.status());
    assertTrue(resume.err().contains("--checkpoint-dir"), resume.err());
    Path cfg = tmp.resolve("bad.properties");
    Files.writeString(cfg, "epoch=3\n");
    var config = InProcess.run("train-deep", "--input", "demo", "--config", cfg.toString(),
        "--output", out.toString());
    assertEquals(2, config.status());
    assertTrue(config.err().contains("unknown option 'epoch'"), config.err());
    var net = InProcess.run("train-deep", "--input", "demo", "--network", "alexnet", "--output",
        out.toString());
    assertTrue(net.status() != 0);
    assertTrue(net.err().contains("alexnet"), net.err());
    var lr = InProcess.run("train-deep", "--input", "demo", "--lr-head", "0", "--output",
        out.toString());
    assertEquals(2, lr.status());
    assertTrue(lr.err().contains("headLearningRate"), lr.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void configFileSuppliesOptionsAndTheCommandLineWins() throws Exception {
    Path cfg = tmp.resolve("c.properties");
    Files.writeString(cfg, "input=demo\nlimit=100\nepochs=7\nbatch-size=100\naugmentation-weight=0\n"
        + "device=cpu\n");
    Path out = tmp.resolve("fromconfig");
    var run = InProcess.run("train-deep", "--config", cfg.toString(), "--epochs", "1",
        "--output", out.toString());
    assertEquals(0, run.status(), run.err());
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(100, metrics.get("images").asInt());
    assertEquals("1", metrics.get("settings").get("epochs").asText());
    assertEquals("0.0", metrics.get("settings").get("augmentationWeight").asText());
  }

  /**
   * A checkpoint folder whose lock names another running process (a real {@code sleep}) is
   * refused before any input is read: one error line naming the process, no output, the lock
   * untouched. Before, two train-deep runs could share a checkpoint folder.
   */
  @Test
  void aCheckpointFolderInUseByAnotherRunIsRefused() throws Exception {
    Path checkpoints = Files.createDirectories(tmp.resolve("ck"));
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      org.ccespark.spark.ProcessOwner holder = new org.ccespark.spark.ProcessOwner(other.pid(),
          org.ccespark.spark.ProcessOwner.current().host(),
          other.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L));
      byte[] lock = JSON.writeValueAsBytes(holder);
      Files.write(checkpoints.resolve(org.ccespark.spark.FolderLock.FILE), lock);
      Path out = tmp.resolve("locked-out");
      var run = InProcess.run("train-deep", "--input", "demo", "--limit", "100", "--epochs", "1",
          "--device", "cpu", "--checkpoint-dir", checkpoints.toString(), "--output",
          out.toString());
      assertEquals(1, run.status(), run.err());
      assertTrue(run.err().contains("is in use by another run (process " + other.pid()),
          run.err());
      assertFalse(Files.exists(out));
      assertArrayEquals(lock, Files.readAllBytes(checkpoints.resolve(
          org.ccespark.spark.FolderLock.FILE)));
    } finally {
      other.destroyForcibly();
      other.waitFor();
    }
  }
}
