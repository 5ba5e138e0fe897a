package org.ccespark.experiment;

import java.io.PrintStream;

/** Progress of an experiment: runs done of all, elapsed time and estimated time left. */
final class Progress {
  private final PrintStream out;
  private final long started;
  private int done;
  private int total;

  Progress(PrintStream out, long started) {
    this.out = out;
    this.started = started;
  }

  PrintStream out() {
    return out;
  }

  void total(int runs) {
    total = runs;
  }

  /** Prints {@code [done/total] what | elapsed, ETA} for one more run. */
  void step(String what) {
    done++;
    double elapsed = elapsedSeconds();
    double eta = done == 0 ? 0 : elapsed / done * (total - done);
    out.printf("[%d/%d] %s | elapsed %s, ETA %s%n", done, total, what, clock(elapsed),
        clock(eta));
  }

  double elapsedSeconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }
}
