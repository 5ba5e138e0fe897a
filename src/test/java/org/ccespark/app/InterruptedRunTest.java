package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.ccespark.data.GaussianBlobs;
import org.ccespark.testing.CceProcess;
import org.ccespark.testing.SharedSpark;
import org.ccespark.testing.StandaloneCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code cluster} command in a separate JVM ({@code local[2]}, the launcher's JVM flags and
 * logging), killed in the middle of its fit: SIGTERM and Ctrl-C leave no output folder and no
 * temporary folder; SIGKILL leaves no output folder, and the next run removes the stale temporary
 * folder and, with {@code --resume}, continues from the last checkpoint to the very predictions of
 * an uninterrupted run.
 */
class InterruptedRunTest {
  private static final int EPOCHS = 8;
  private static final int ROWS = 2000;
  /** Generous: on a machine shared with other builds a child JVM may take minutes. */
  private static final Duration TIMEOUT = Duration.ofSeconds(600);

  @TempDir
  Path tmp;

  private Path data;
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void writeData() {
    data = tmp.resolve("blobs.parquet");
    GaussianBlobs.generate(SharedSpark.session(), ROWS, 8, 4, 1, 2).write()
        .parquet(data.toString());
  }

  @AfterEach
  void killChildren() {
    children.forEach(Process::destroyForcibly);
  }

  private List<String> clusterArgs(Path output, String... more) {
    List<String> args = new ArrayList<>(List.of("cluster", "--input", data.toString(),
        "--label-col", "label", "--k", "4", "--epochs", String.valueOf(EPOCHS), "--batch-size",
        "500", "--em-max-iter", "30", "--momentum", "0.9", "--seed", "3", "--partitions", "2",
        "--output",
        output.toString()));
    args.addAll(List.of(more));
    return args;
  }

  /** Starts {@code cce} with the arguments in a child JVM logging to {@code name.log}. */
  private Process start(String name, List<String> args) throws IOException {
    Process p = CceProcess.builder(log(name), List.of("-Xmx1g", "-Dspark.master=local[2]"), args)
        .start();
    children.add(p);
    return p;
  }

  private Path log(String name) {
    return tmp.resolve(name + ".log");
  }

  private String logText(String name) throws IOException {
    return Files.readString(log(name), StandardCharsets.UTF_8);
  }

  /** Waits until {@code condition} holds; fails if the process exits first or time runs out. */
  private void await(Process p, String name, String what, BooleanSupplier condition)
      throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " (process " + (p.isAlive() ? "still running"
            : "exited with " + p.exitValue()) + "); log:\n"
            + StandaloneCluster.tail(log(name), 40));
      }
      Thread.sleep(20);
    }
  }

  private int exit(Process p, String name) throws Exception {
    assertTrue(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "did not end:\n" + logText(name));
    return p.exitValue();
  }

  /** The temporary folders {@code .NAME.tmp-*} beside {@code output}. */
  private List<String> temporaryFolders(Path output) throws IOException {
    String prefix = "." + output.getFileName() + ".tmp-";
    try (Stream<Path> s = Files.list(output.getParent())) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
    }
  }

  private static boolean contains(Path file, String text) {
    try {
      return Files.exists(file) && Files.readString(file).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether this JVM was started with {@code signal} ignored (bit {@code n-1} of {@code SigIgn} in
   * {@code /proc/self/status}); a child inherits that, and the JVM then installs no handler for it.
   */
  private static boolean inheritsIgnored(String signal) throws IOException {
    int number = "INT".equals(signal) ? 2 : 15;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        return (mask & (1L << (number - 1))) != 0;
      }
    }
    return false;
  }

  @ParameterizedTest(name = "SIG{0}")
  @ValueSource(strings = {"TERM", "INT"})
  void aSignalMidFitLeavesNoOutputAndNoTemporaryFolder(String signal) throws Exception {
    assumeFalse(inheritsIgnored(signal), "SIG" + signal + " is ignored in this process tree (it was"
        + " started as a background job, which ignores SIGINT), so the child JVM cannot receive it;"
        + " Ctrl-C cannot reach a run started like this either");
    Path out = tmp.resolve("out-" + signal);
    String name = "sig" + signal;
    Process p = start(name, clusterArgs(out));
    await(p, name, "first epoch", () -> contains(log(name), "epoch 1/" + EPOCHS + ": loss"));
    // the shell's built-in kill: no procps needed
    Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + p.pid()).start();
    assertEquals(0, kill.waitFor());
    int status = exit(p, name);
    String log = logText(name);
    assertTrue(status != 0, "exit status " + status + ":\n" + log);
    assertFalse(Files.exists(out), log);
    assertEquals(List.of(), temporaryFolders(out), log);
    Matcher m = Pattern.compile("interrupted: output " + Pattern.quote(out.toString())
        + " not written; temporary folder \\." + Pattern.quote(out.getFileName().toString())
        + "\\.tmp-[0-9a-f]{8} removed").matcher(log);
    assertTrue(m.find(), log);
    assertEquals(List.of(), log.lines().filter(l -> l.startsWith("error: ")).toList(),
        "no internal error line beside 'interrupted:'");
    assertEquals(List.of(), log.lines().filter(l -> l.matches("\\s+at .*|\\s*Caused by: .*"))
        .toList(), "no stack trace of the jobs Spark stopped (they go to the task log)");
  }

  @Test
  void aKilledRunResumesToThePredictionsOfAnUninterruptedRun() throws Exception {
    Path out = tmp.resolve("out");
    Path checkpoints = tmp.resolve("checkpoints");
    List<String> args = clusterArgs(out, "--checkpoint-dir", checkpoints.toString());

    Process first = start("first", args);
    await(first, "first", "checkpoint of epoch 1",
        () -> Files.isDirectory(checkpoints.resolve("epoch-000001")));
    first.destroyForcibly(); // SIGKILL: no shutdown hook runs
    exit(first, "first");
    assertFalse(Files.exists(out));
    List<String> stale = temporaryFolders(out);
    assertEquals(1, stale.size(), "the killed run's temporary folder: " + stale);
    int done;
    try (Stream<Path> s = Files.list(checkpoints)) {
      done = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("epoch-"))
          .mapToInt(n -> Integer.parseInt(n.substring(6))).max().orElse(0);
    }
    assertTrue(done >= 1 && done < EPOCHS, "killed after epoch " + done + " of " + EPOCHS);

    List<String> resumeArgs = new ArrayList<>(args);
    resumeArgs.add("--resume");
    Process second = start("second", resumeArgs);
    assertEquals(0, exit(second, "second"), logText("second"));
    String log = logText("second");
    assertTrue(log.contains("removed stale temporary folder") && log.contains(stale.get(0)), log);
    assertTrue(log.contains("resumed from epoch " + done + " of " + EPOCHS), log);
    assertEquals(List.of(), temporaryFolders(out));

    Path reference = tmp.resolve("uninterrupted");
    InProcess.Outcome uninterrupted =
        InProcess.run(clusterArgs(reference).toArray(new String[0]));
    assertEquals(Main.OK, uninterrupted.status(), uninterrupted.out() + uninterrupted.err());

    assertEquals(Files.readString(reference.resolve("predictions.csv")),
        Files.readString(out.resolve("predictions.csv")));
    List<Row> expected = predictions(reference);
    List<Row> actual = predictions(out);
    assertEquals(ROWS, expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).getLong(0), actual.get(i).getLong(0));
      assertArrayEquals(((Vector) expected.get(i).get(1)).toArray(),
          ((Vector) actual.get(i).get(1)).toArray(), "probabilities of row " + i);
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(reference.resolve("metrics.json").toFile());
    JsonNode b = json.readTree(out.resolve("metrics.json").toFile());
    assertEquals(a.get("lossPerEpoch"), b.get("lossPerEpoch"));
    assertEquals(EPOCHS, b.get("lossPerEpoch").size());
  }

  private static List<Row> predictions(Path dir) {
    return SharedSpark.session().read().parquet(dir.resolve("predictions").toString())
        .select("row", "probability").orderBy("row").collectAsList();
  }
}
