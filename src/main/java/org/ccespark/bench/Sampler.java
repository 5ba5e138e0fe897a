package org.ccespark.bench;

import java.util.function.DoubleSupplier;

/**
 * Samples a value on a daemon thread at a fixed period while some work runs, and keeps the
 * largest and the mean of the samples (one more is taken when halted).
 */
final class Sampler extends Thread {
  private final DoubleSupplier value;
  private final long periodMillis;
  private volatile boolean running = true;
  private double sum;
  private int count;
  private double max = Double.NEGATIVE_INFINITY;

  /**
   * @param name the thread's name
   * @param value what to sample; negative values (unavailable) are skipped
   * @param periodMillis time between samples
   */
  Sampler(String name, DoubleSupplier value, long periodMillis) {
    super(name);
    setDaemon(true);
    this.value = value;
    this.periodMillis = periodMillis;
  }

  /** Starts a sampler. */
  static Sampler started(String name, DoubleSupplier value, long periodMillis) {
    Sampler s = new Sampler(name, value, periodMillis);
    s.start();
    return s;
  }

  @Override
  public void run() {
    while (running) {
      sample();
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void sample() {
    double v = value.getAsDouble();
    if (v >= 0) {
      sum += v;
      count++;
      max = Math.max(max, v);
    }
  }

  /** Stops sampling, after one last sample. */
  void halt() {
    running = false;
    interrupt();
    try {
      join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
  }

  /** @return the largest sample, or NaN if none */
  synchronized double max() {
    return count == 0 ? Double.NaN : max;
  }

  /** @return the mean of the samples, or NaN if none */
  synchronized double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }
}
