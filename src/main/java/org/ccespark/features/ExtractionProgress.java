package org.ccespark.features;

import java.util.function.Consumer;

/**
 * Reports the executors' progress of an extraction (their accumulators, sent with heartbeats)
 * every 10 s until closed.
 */
public final class ExtractionProgress implements AutoCloseable {
  private final Thread thread;

  /**
   * Starts reporting.
   *
   * @param ex the running extraction
   * @param progress receives a line every 10 s
   */
  public ExtractionProgress(ImageFeatures.Extraction ex, Consumer<String> progress) {
    long t0 = System.nanoTime();
    thread = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(10_000);
          long done = ex.processed();
          double s = (System.nanoTime() - t0) / 1e9;
          progress.accept(String.format("  about %,d / %,d images (%.1f%%), %.1f images/s, %.0f s",
              done, ex.size(), 100.0 * done / ex.size(), done / s, s));
        }
      } catch (InterruptedException e) {
        // done
      }
    }, "extract-progress");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
