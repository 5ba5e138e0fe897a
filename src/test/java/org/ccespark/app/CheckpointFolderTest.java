package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ccespark.app.InProcess.Outcome;
import org.ccespark.data.GaussianBlobs;
import org.ccespark.spark.ProcessOwner;
import org.ccespark.spark.TrainingCheckpoint;
import org.ccespark.testing.CceProcess;
import org.ccespark.testing.SharedSpark;
import org.ccespark.testing.StandaloneCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ccespark.output.OutputDir;

/**
 * {@code --checkpoint-dir} kept apart from {@code --output} (refused at the start when it is the
 * output, lies inside it or contains it), and one run at a time per checkpoint folder: a second
 * run while the first is training is refused and the first run's checkpoint is left as it was.
 * Real files and, for the concurrent runs, a real second process.
 */
class CheckpointFolderTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(600);

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  private static Map<String, Long> snapshot(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString(), Files.size(p));
      }
    }
    return files;
  }

  private Path csv() throws IOException {
    List<String> lines = new ArrayList<>(List.of("a,b"));
    for (int i = 0; i < 30; i++) {
      lines.add((i % 3) * 5 + 0.01 * i + "," + (i % 2) * 0.1);
    }
    return Files.write(tmp.resolve("in.csv"), lines);
  }

  private static String[] cluster(Path input, Path output, Path checkpoints, String... more) {
    List<String> args = new ArrayList<>(List.of("cluster", "--input", input.toString(), "--k",
        "3", "--output", output.toString(), "--checkpoint-dir",
        checkpoints.toString()));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  private static void assertRefused(Outcome r, int status, String... parts) {
    assertEquals(status, r.status(), r.err() + r.out());
    assertEquals(1, r.errLines().size(), "one line: " + r.err());
    for (String part : parts) {
      assertTrue(r.errLines().get(0).contains(part), "'" + part + "' in " + r.err());
    }
    assertFalse(r.out().contains("reading "), "refused before the input is read: " + r.out());
  }

  @Test
  void theCheckpointFolderIsNeitherTheOutputNorInsideItNorAroundIt() throws IOException {
    Path input = csv();
    Path out = tmp.resolve("out");
    assertRefused(InProcess.run(cluster(input, out, out)), Main.USAGE,
        "--output '" + out + "' is --checkpoint-dir");
    assertRefused(InProcess.run(cluster(input, out, out.resolve("ckpt"))), Main.USAGE,
        "contains --checkpoint-dir");
    assertRefused(InProcess.run(cluster(input, out, tmp)), Main.USAGE,
        "lies inside --checkpoint-dir");
    assertFalse(Files.exists(out));

    // an earlier output holding its run's checkpoint: --overwrite --resume must not replace it
    Files.createDirectories(out.resolve("ckpt").resolve("epoch-000001"));
    Files.writeString(out.resolve("ckpt").resolve("epoch-000001").resolve("state"), "state");
    Files.writeString(out.resolve(OutputDir.MARKER), "");
    Map<String, Long> before = snapshot(out);
    assertRefused(InProcess.run(cluster(input, out, out.resolve("ckpt"), "--overwrite",
        "--resume")), Main.USAGE, "contains --checkpoint-dir");
    assertEquals(before, snapshot(out));
  }

  /**
   * Two {@code cluster} runs with one checkpoint folder and different seeds: the first in a child
   * JVM, the second (in this JVM) started while the first trains. The second is refused naming the
   * first's process; the first finishes, and its checkpoint is its own.
   */
  @Test
  void aSecondRunOnTheSameCheckpointFolderIsRefused() throws Exception {
    Path data = tmp.resolve("blobs.parquet");
    GaussianBlobs.generate(SharedSpark.session(), 1000, 8, 4, 1, 2).write()
        .parquet(data.toString());
    Path checkpoints = tmp.resolve("checkpoints");
    Path log = tmp.resolve("first.log");
    Process first = CceProcess.builder(log, List.of("-Xmx1g", "-Dspark.master=local[2]"),
        // enough epochs that the first run still holds the folder when the second starts (with
        // 4, the faster solver let it finish first: the second was then refused as "not empty")
        List.of(cluster(data, tmp.resolve("first"), checkpoints, "--epochs", "16", "--batch-size",
            "250", "--em-max-iter", "30", "--seed", "3", "--partitions", "2"))).start();
    try {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!Files.isDirectory(checkpoints.resolve("epoch-000001"))) {
        assertTrue(first.isAlive() && System.nanoTime() < deadline, "no first checkpoint:\n"
            + StandaloneCluster.tail(log, 40));
        Thread.sleep(20);
      }
      ProcessOwner holder = new ObjectMapper().readValue(
          checkpoints.resolve(TrainingCheckpoint.LOCK).toFile(), ProcessOwner.class);
      assertEquals(first.pid(), holder.pid());

      Path second = tmp.resolve("second");
      Outcome r = InProcess.run(cluster(data, second, checkpoints, "--epochs", "4", "--seed", "4",
          "--partitions", "2"));
      assertRefused(r, Main.FAILED, "is in use by another run (process " + first.pid());
      assertFalse(Files.exists(second));

      assertTrue(first.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "first run did not end");
      assertEquals(0, first.exitValue(), Files.readString(log));
    } finally {
      first.destroyForcibly();
    }
    try (Stream<Path> s = Files.list(checkpoints)) {
      assertEquals(List.of("epoch-000016"), s.map(p -> p.getFileName().toString()).toList(),
          "the first run's last checkpoint, and its lock released");
    }
    assertTrue(Files.isRegularFile(tmp.resolve("first").resolve("metrics.json")));
  }
}
