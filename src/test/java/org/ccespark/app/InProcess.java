package org.ccespark.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The command line run in this JVM through {@link Main#run(String[], PrintStream, PrintStream)},
 * reusing the shared test Spark session, with what it printed captured: the one in-process
 * command-line helper of the tests.
 */
public final class InProcess {
  private InProcess() {}

  /**
   * A run of {@link Main#run}: exit status and what it printed.
   *
   * @param status {@link Main#OK}, {@link Main#FAILED} or {@link Main#USAGE}
   * @param out what went to the output stream
   * @param err what went to the error stream
   */
  public record Outcome(int status, String out, String err) {
    /** @return the non-blank lines of the error stream */
    public List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /** Runs {@code args} (the command first) in this JVM and captures both streams. */
  public static Outcome run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = Main.run(args, o, e);
    }
    return new Outcome(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }
}
