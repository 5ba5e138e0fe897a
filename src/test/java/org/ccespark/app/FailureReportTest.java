package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.ccespark.testing.CceProcess;
import org.ccespark.testing.FullDiskFileSystem;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failures inside Spark's tasks and full disks, through the command line in a child JVM as a user
 * runs it ({@code conf/log4j2.properties}, {@link Main#main}): standard error holds one line
 * {@code error: ...} naming the cause and the path, and no stack trace; Spark's reports of the
 * failed tasks are in the log file that the line names; no temporary folder is left behind.
 *
 * <p>The full disk is real to the program: the files it writes there are {@code /dev/full}, on
 * which every write fails in the kernel with {@code ENOSPC} ({@link FullDiskFileSystem}, Hadoop's
 * local file system otherwise unchanged); skipped where there is no {@code /dev/full}.
 */
class FailureReportTest {
  /** Generous: on a machine shared with other builds a child JVM may take minutes. */
  private static final Duration TIMEOUT = Duration.ofSeconds(600);
  /** A line of a stack trace, or the uncaught exception of a thread. */
  private static final Pattern TRACE =
      Pattern.compile("\\s+at .*|\\s*\\.\\.\\. \\d+ more|\\s*Caused by: .*|Exception in thread .*");
  private static final Pattern TASK_LOG =
      Pattern.compile("\\. Spark's report of the failed tasks: (\\S+)$");

  @TempDir
  Path tmp;

  private int runs;

  /** A finished child run: exit status, standard output and standard error. */
  private record Run(int status, String out, String err) {}

  /** Runs {@code cce} in a child JVM with the JVM options and the command line. */
  private Run run(List<String> jvmOptions, String... args) throws Exception {
    int n = ++runs;
    Path out = tmp.resolve("stdout-" + n + ".log");
    Path err = tmp.resolve("stderr-" + n + ".log");
    List<String> options = new ArrayList<>(List.of("-Xmx1g", "-Dspark.master=local[2]"));
    options.addAll(jvmOptions);
    Process p = CceProcess.builder(out, options, List.of(args)).redirectErrorStream(false)
        .redirectError(err.toFile()).start();
    try {
      assertTrue(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "did not end");
    } finally {
      p.destroyForcibly();
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /**
   * Exit status 1 and standard error with one {@code error:} line containing every part and no
   * stack trace.
   *
   * @return the line
   */
  private static String assertOneLine(Run r, String... parts) {
    String all = "stdout:\n" + r.out() + "\nstderr:\n" + r.err();
    assertEquals(Main.FAILED, r.status(), all);
    List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), all);
    for (String part : parts) {
      assertTrue(errors.get(0).contains(part), "'" + part + "' in " + errors.get(0));
    }
    List<String> trace = (r.err() + "\n" + r.out()).lines()
        .filter(l -> TRACE.matcher(l).matches()).toList();
    assertEquals(List.of(), trace, "no stack trace on the terminal:\n" + all);
    return errors.get(0);
  }

  /** The log file the error line names: Spark's report of the failed task, with its trace. */
  private static Path assertNamesTheTaskLog(String line, String reported) throws IOException {
    Matcher m = TASK_LOG.matcher(line);
    assertTrue(m.find(), "the log of the failed tasks is named: " + line);
    Path log = Path.of(m.group(1));
    String text = Files.readString(log);
    assertTrue(text.contains("Lost task") && text.contains(reported), text);
    assertTrue(text.lines().anyMatch(l -> l.matches("\\s+at org\\.apache\\.spark\\..*")), text);
    return log;
  }

  /** The names in {@code dir} (not below it) that contain {@code part}. */
  private static List<String> names(Path dir, String part) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(part)).sorted()
          .toList();
    }
  }

  /**
   * Input that Spark's tasks fail on: a malformed LibSVM line, random bytes as Parquet, a CSV file
   * this user cannot read (skipped as root, who reads every file). The first uses the default log
   * file, {@code <java.io.tmpdir>/cce-spark-<date>-<time>-<pid>.log}; the others
   * {@code -Dcce.task.log}.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"malformed LibSVM", "corrupt Parquet", "unreadable CSV"})
  void aTaskFailureIsOneLineAndSparksReportGoesToTheLogFile(String kind) throws Exception {
    Path input;
    String expected;
    String reported;
    switch (kind) {
      case "malformed LibSVM" -> {
        input = Files.write(tmp.resolve("data.libsvm"), List.of("1 1:1 2:2", "2 1:x 2:1",
            "1 1:3 2:4"));
        expected = "Line 2 of '" + input.toUri().toString().replace("file:///", "file:/")
            + "' is not a LibSVM line";
        reported = "NumberFormatException";
      }
      case "corrupt Parquet" -> {
        byte[] garbage = new byte[3000];
        new Random(7).nextBytes(garbage);
        input = Files.write(tmp.resolve("garbage.parquet"), garbage);
        expected = "garbage.parquet is not a Parquet file";
        reported = "garbage.parquet";
      }
      default -> {
        input = Files.write(tmp.resolve("locked.csv"), BadInputTest.blobLines(30));
        Files.setPosixFilePermissions(input, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(input), "this user reads a file without read permission"
            + " (root): a file it cannot read cannot be made");
        expected = "locked.csv";
        reported = "locked.csv";
      }
    }
    boolean defaultLog = kind.equals("malformed LibSVM");
    Path out = tmp.resolve("out");
    Run r = run(defaultLog ? List.of() : List.of("-Dcce.task.log=" + tmp.resolve("tasks.log")),
        "cluster", "--input", input.toString(), "--k", "2", "--output", out.toString());
    String line = assertOneLine(r, expected);
    Path log = assertNamesTheTaskLog(line, reported);
    try {
      if (defaultLog) {
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(),
            log.getParent());
        assertTrue(log.getFileName().toString().matches("cce-spark-\\d{8}-\\d{6}-\\d+\\.log"),
            log.toString());
      } else {
        assertEquals(tmp.resolve("tasks.log"), log);
      }
    } finally {
      if (defaultLog) {
        Files.deleteIfExists(log);
      }
    }
    assertFalse(Files.exists(out));
    assertEquals(List.of(), names(tmp, ".tmp-"), "no temporary folder");
  }

  /**
   * A full disk under {@code --checkpoint-dir} while the checkpoint of epoch 1 is written: its
   * {@code state} file, written by the driver ({@code minibatch}), or the pseudo-labels, written by
   * the executors ({@code fulldata}). Before: {@code Exception in thread "main"
   * org.apache.hadoop.fs.FSError: java.io.IOException: No space left on device} with its stack
   * trace, no {@code error:} line, and the {@code .epoch-000001.tmp-*} folder left.
   */
  @ParameterizedTest(name = "--schedule {0}")
  @ValueSource(strings = {"minibatch", "fulldata"})
  void aFullDiskUnderTheCheckpointFolderIsOneLineAndLeavesNoTemporaryFolder(String schedule)
      throws Exception {
    assumeTrue(FullDiskFileSystem.available(), "no writable /dev/full (not Linux): a full disk"
        + " cannot be stood in for");
    Path input = Files.write(tmp.resolve("blobs.csv"), BadInputTest.blobLines(60));
    Path checkpoints = tmp.resolve("checkpoints");
    Path out = tmp.resolve("out");
    String full = Pattern.quote(checkpoints.toString()) + "/\\.epoch-.*/"
        + (schedule.equals("minibatch") ? "state" : "labels/.*");
    Run r = run(fullDisk(full, "-Dcce.task.log=" + tmp.resolve("tasks.log")), "cluster",
        "--input", input.toString(), "--label-col", "label", "--k", "3", "--epochs", "2",
        "--batch-size", "16", "--schedule", schedule, "--checkpoint-dir", checkpoints.toString(),
        "--output", out.toString());
    String line = assertOneLine(r, "Cannot write the checkpoint of epoch 1 into '"
        + checkpoints.toUri().toString().replace("file:///", "file:/").replaceAll("/$", "")
        + "': No space left on device");
    if (schedule.equals("fulldata")) {
      assertEquals(tmp.resolve("tasks.log"), assertNamesTheTaskLog(line,
          "No space left on device"));
    } else {
      assertFalse(TASK_LOG.matcher(line).find(), "no task failed: " + line);
    }
    assertEquals(List.of(), names(checkpoints, ""), "no .epoch-*.tmp-* folder, no lock left");
    assertFalse(Files.exists(out));
    assertEquals(List.of(), names(tmp, ".tmp-"), "no temporary folder");
  }

  /**
   * A full disk while the output is written: the predictions, written by Spark's tasks into the
   * temporary folder, or {@code metrics.json}, written by the driver. Before: {@code error: Error
   * closing the output.} (or {@code Unable to close resource}), neither cause nor path, after
   * Spark's stack traces.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"predictions", "metrics.json"})
  void aFullDiskUnderTheOutputIsOneLineNamingTheCauseAndTheOutput(String file) throws Exception {
    assumeTrue(FullDiskFileSystem.available(), "no writable /dev/full (not Linux): a full disk"
        + " cannot be stood in for");
    Path input = Files.write(tmp.resolve("blobs.csv"), BadInputTest.blobLines(60));
    Path out = tmp.resolve("out");
    String full = Pattern.quote(tmp.toString()) + "/\\.out\\.tmp-[0-9a-f]{8}/"
        + (file.equals("predictions") ? ".*part-.*" : "metrics\\.json");
    Run r = run(fullDisk(full, "-Dcce.task.log=" + tmp.resolve("tasks.log")), "cluster",
        "--input", input.toString(), "--label-col", "label", "--k", "3", "--epochs", "1",
        "--batch-size", "16", "--output", out.toString());
    if (file.equals("predictions")) {
      String line = assertOneLine(r, "error: No space left on device while writing output "
          + out + " (file file:" + tmp + "/.out.tmp-", "of its temporary folder, now removed)");
      assertEquals(tmp.resolve("tasks.log"), assertNamesTheTaskLog(line,
          "No space left on device"));
    } else {
      String line = assertOneLine(r, "error: Cannot write metrics.json into file:" + tmp
          + "/.out.tmp-", ": No space left on device");
      assertFalse(TASK_LOG.matcher(line).find(), "no task failed: " + line);
    }
    assertFalse(Files.exists(out));
    assertEquals(List.of(), names(tmp, ".tmp-"), "no temporary folder");
  }

  /** JVM options that put the local files whose path matches {@code regex} on a full disk. */
  private static List<String> fullDisk(String regex, String... more) {
    List<String> options = new ArrayList<>(List.of(
        "-Dspark.hadoop.fs.file.impl=" + FullDiskFileSystem.class.getName(),
        "-D" + FullDiskFileSystem.PATTERN_PROPERTY + "=" + regex));
    options.addAll(List.of(more));
    return options;
  }
}
