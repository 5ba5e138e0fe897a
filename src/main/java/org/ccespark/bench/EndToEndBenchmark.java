package org.ccespark.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.GaussianBlobs;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.ml.CollisionClusteringModel;

/**
 * Whole fits on the same cached DataFrame of {@link GaussianBlobs}: CCE with each schedule and
 * MLlib K-means (its defaults: k-means‖ initialisation, at most 20 iterations), per data size.
 * Reports the fit's wall-clock time, time per pass (per epoch for CCE, per Lloyd iteration for
 * K-means, initialisation included), the peak heap during the fit, the scores against the blobs
 * (a sanity check that the fit did its job), and how time per row grows with N.
 *
 * <p>Before the timed fits, every method is fitted once on a small blob set (warm-up of the JIT and
 * of Spark's code generation). Peak heap is taken two ways: the largest {@code used} heap seen by a
 * sampler every 20 ms (garbage included), and the sum of the heap pools' peaks (reset before the
 * fit). The heap right after a forced GC before the fit (the cached data and Spark) is reported as
 * the baseline. In local mode the driver and the executors share this heap.
 */
public final class EndToEndBenchmark {
  private EndToEndBenchmark() {}

  /** The methods, in run order. */
  public static final List<String> METHODS = List.of("cce-minibatch", "cce-fulldata", "kmeans");

  /**
   * Settings.
   *
   * @param sizes numbers of rows N
   * @param dim dimension D
   * @param k clusters (and blobs)
   * @param methods among {@link #METHODS}
   * @param epochs CCE epochs, or null for the estimator's default
   * @param fulldataEmMaxIter emMaxIter of the fulldata schedule, or null for the default
   * @param partitions partitions of the cached data
   * @param seed seed of the data and of every estimator
   * @param reps timed fits per method and size
   * @param warmupRows rows of the warm-up set (0: no warm-up)
   */
  public record Config(long[] sizes, int dim, int k, List<String> methods, Integer epochs,
      Integer fulldataEmMaxIter, int partitions, long seed, int reps, int warmupRows) {}

  /** One timed fit, with the predictions of its last repetition by row. */
  record Fit(long n, String method, Timing.Stats seconds, double passes, String passName,
      long jobs, long peakSampled, long peakPools, long baseline, double acc, double nmi,
      Map<String, Object> details, int[] predictions) {
    /** Median seconds per pass. */
    double secondsPerPass() {
      return seconds.median() / Math.max(1, passes);
    }

    /** Fit time as {@code median [min-max]}. */
    String secondsText() {
      return String.format("%.1f [%.1f-%.1f]", seconds.median(), seconds.min(), seconds.max());
    }

    /** Time per pass as {@code seconds/pass}. */
    String perPassText() {
      return String.format("%.2f/%s", secondsPerPass(), passName);
    }

    /** Method, fit time, passes, time per pass and scores, for {@code bench.json}. */
    Map<String, Object> json() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("method", method);
      j.put("fitSeconds", seconds.toJson());
      j.put("passes", passes);
      j.put("pass", passName);
      j.put("secondsPerPass", secondsPerPass());
      j.put("sparkJobs", jobs);
      j.put("sparkJobsPerPass", jobs / Math.max(1, passes));
      j.put("acc", acc);
      j.put("nmi", nmi);
      return j;
    }
  }

  /**
   * Runs the benchmark on {@code spark}.
   *
   * @param progress receives a line per phase (generation, each fit)
   */
  public static BenchResult run(SparkSession spark, Config cfg, Consumer<String> progress) {
    warmUp(spark, cfg, "end-to-end", progress);
    List<Fit> fits = new ArrayList<>();
    List<Map<String, Object>> data = new ArrayList<>();
    for (long n : cfg.sizes()) {
      progress.accept(String.format("end-to-end: generating and caching %,d x %d blobs (k=%d, %d"
          + " partitions)", n, cfg.dim(), cfg.k(), cfg.partitions()));
      long t0 = System.nanoTime();
      Dataset<Row> blobs = GaussianBlobs.cached(spark, n, cfg.dim(), cfg.k(), cfg.seed(),
          cfg.partitions());
      double cacheSeconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("n", n);
      d.put("generateAndCacheSeconds", cacheSeconds);
      data.add(d);
      try {
        for (String method : cfg.methods()) {
          progress.accept(String.format("end-to-end: N=%,d fitting %s", n, method));
          fits.add(timedFit(method, cfg, blobs, n));
          Fit f = fits.get(fits.size() - 1);
          progress.accept(String.format("end-to-end: N=%,d %s fit %.1f s, peak heap %.2f GB", n,
              method, f.seconds().median(), f.peakSampled() / 1e9));
        }
      } finally {
        blobs.unpersist(true);
      }
    }
    return result(spark, cfg, fits, data);
  }

  /**
   * Fits every method once on {@code cfg.warmupRows()} blobs (other seed), untimed: warms up the
   * JIT of the driver and the executors and Spark's code generation. Nothing when warmupRows is 0.
   */
  static void warmUp(SparkSession spark, Config cfg, String benchmark, Consumer<String> progress) {
    if (cfg.warmupRows() == 0) {
      return;
    }
    progress.accept(String.format("%s: warm-up fits on %,d x %d blobs", benchmark,
        cfg.warmupRows(), cfg.dim()));
    Dataset<Row> warm = GaussianBlobs.cached(spark, cfg.warmupRows(), cfg.dim(), cfg.k(),
        cfg.seed() + 1, cfg.partitions());
    try {
      for (String method : cfg.methods()) {
        fit(method, cfg, warm, cfg.warmupRows());
      }
    } finally {
      warm.unpersist(true);
    }
  }

  /** {@code cfg.reps()} timed fits of {@code method} on the cached {@code data} of {@code n} rows. */
  static Fit timedFit(String method, Config cfg, Dataset<Row> data, long n) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    double[] samples = new double[cfg.reps()];
    long peakSampled = 0;
    long peakPools = 0;
    long baseline = 0;
    Object[] last = new Object[1];
    long jobs = 0;
    for (int r = 0; r < cfg.reps(); r++) {
      System.gc();
      baseline = memory.getHeapMemoryUsage().getUsed();
      List<MemoryPoolMXBean> pools = heapPools();
      pools.forEach(MemoryPoolMXBean::resetPeakUsage);
      Sampler sampler = Sampler.started("cce-bench-heap-sampler",
          () -> memory.getHeapMemoryUsage().getUsed(), 20);
      JobCounter counter = new JobCounter();
      data.sparkSession().sparkContext().addSparkListener(counter);
      long t0 = System.nanoTime();
      try {
        last[0] = fit(method, cfg, data, n);
      } finally {
        samples[r] = (System.nanoTime() - t0) / 1e9;
        sampler.halt();
        jobs = counter.settledCount();
        data.sparkSession().sparkContext().removeSparkListener(counter);
      }
      peakSampled = Math.max(peakSampled, (long) sampler.max());
      long poolSum = 0;
      for (MemoryPoolMXBean p : pools) {
        poolSum += p.getPeakUsage().getUsed();
      }
      peakPools = Math.max(peakPools, poolSum);
    }
    Timing.Stats s = Timing.Stats.of(samples);
    Model<?> model = (Model<?>) last[0];
    Map<String, Object> details = new LinkedHashMap<>();
    double passes;
    String passName;
    if (model instanceof CollisionClusteringModel cce) {
      passes = cce.summary().numIter();
      passName = "epoch";
      details.put("epochs", cce.summary().numIter());
      details.put("lossPerEpoch", cce.summary().lossPerEpoch());
      details.put("emIterationsPerEpoch", cce.summary().emIterationsPerEpoch());
      details.put("trainingSeconds", cce.summary().trainingSeconds());
      details.put("emMaxIter", cce.getEmMaxIter());
      details.put("batchSize", cce.getBatchSize());
    } else {
      KMeansModel km = (KMeansModel) model;
      passes = km.summary().numIter();
      passName = "iteration";
      details.put("iterations", km.summary().numIter());
      details.put("trainingCost", km.summary().trainingCost());
      details.put("maxIter", km.getMaxIter());
      details.put("initMode", km.getInitMode());
    }
    int[] predictions = predictions(model, data, n);
    int[] labels = GaussianBlobs.labels((int) n, cfg.k());
    return new Fit(n, method, s, passes, passName, jobs, peakSampled, peakPools, baseline,
        ClusteringMetrics.accuracy(labels, predictions), ClusteringMetrics.nmi(labels, predictions),
        details, predictions);
  }

  /**
   * Counts the Spark jobs started while it is registered (a fit's jobs: CCE's K-means start, the
   * feature blocks, every training step; K-means' every iteration).
   */
  static final class JobCounter extends org.apache.spark.scheduler.SparkListener {
    private final java.util.concurrent.atomic.AtomicLong started =
        new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart jobStart) {
      started.incrementAndGet();
    }

    /**
     * The count once the listener bus has delivered the fit's events: they are posted
     * asynchronously, so this waits until the count stops changing for 200 ms.
     */
    long settledCount() {
      long last = -1;
      long now = started.get();
      while (now != last) {
        last = now;
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        now = started.get();
      }
      return now;
    }
  }

  /** One untimed fit of {@code method} (warm-up); returns the model. */
  static Object fit(String method, Config cfg, Dataset<Row> data, long n) {
    if (method.equals("kmeans")) {
      return new KMeans().setK(cfg.k()).setSeed(cfg.seed())
          .setFeaturesCol(GaussianBlobs.FEATURES_COL).fit(data);
    }
    CollisionClustering cce = new CollisionClustering().setK(cfg.k()).setSeed(cfg.seed())
        .setFeaturesCol(GaussianBlobs.FEATURES_COL)
        .setSchedule(method.substring("cce-".length()));
    if (cfg.epochs() != null) {
      cce.setMaxIter(cfg.epochs());
    }
    if (method.equals("cce-fulldata") && cfg.fulldataEmMaxIter() != null) {
      cce.setEmMaxIter(cfg.fulldataEmMaxIter());
    }
    return cce.fit(data);
  }

  private static int[] predictions(Model<?> model, Dataset<Row> data, long n) {
    int[] out = new int[(int) n];
    for (Row row : model.transform(data).select(GaussianBlobs.ROW_COL, "prediction")
        .collectAsList()) {
      out[(int) row.getLong(0)] = row.getInt(1);
    }
    return out;
  }

  private static List<MemoryPoolMXBean> heapPools() {
    List<MemoryPoolMXBean> out = new ArrayList<>();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.isValid()) {
        out.add(p);
      }
    }
    return out;
  }

  /** The settings of {@code cfg}, for {@code bench.json}. */
  static Map<String, Object> settingsJson(Config cfg) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("sizes", cfg.sizes());
    settings.put("dim", cfg.dim());
    settings.put("k", cfg.k());
    settings.put("methods", cfg.methods());
    settings.put("epochs", cfg.epochs() == null ? "default" : cfg.epochs());
    settings.put("fulldataEmMaxIter", cfg.fulldataEmMaxIter() == null ? "default"
        : cfg.fulldataEmMaxIter());
    settings.put("partitions", cfg.partitions());
    settings.put("seed", cfg.seed());
    settings.put("reps", cfg.reps());
    settings.put("warmupRows", cfg.warmupRows());
    return settings;
  }

  private static BenchResult result(SparkSession spark, Config cfg, List<Fit> fits,
      List<Map<String, Object>> data) {
    long maxHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("End to end on cached Gaussian blobs: D=%d, k=%d, master %s, %d"
        + " partitions, max heap %.1f GB; CCE epochs %s, fulldata emMaxIter %s; K-means MLlib"
        + " defaults%n", cfg.dim(), cfg.k(), spark.sparkContext().master(), cfg.partitions(),
        maxHeap / 1e9, cfg.epochs() == null ? "default" : cfg.epochs(),
        cfg.fulldataEmMaxIter() == null ? "default" : cfg.fulldataEmMaxIter()));
    sb.append(String.format("%9s  %-14s  %-22s  %6s  %-16s  %-11s  %7s  %9s  %9s  %9s  %6s  %6s%n",
        "N", "method", "fit s", "passes", "s per pass", "us/row/pass", "jobs", "jobs/pass",
        "heap base", "heap peak", "ACC", "NMI"));
    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, Fit> first = new LinkedHashMap<>();
    for (Fit f : fits) {
      sb.append(String.format("%,9d  %-14s  %-22s  %6.0f  %-16s  %-11.2f  %7d  %9.1f  %7.2fGB  %7.2fGB  %.4f  %.4f%n",
          f.n(), f.method(), f.secondsText(), f.passes(), f.perPassText(),
          f.secondsPerPass() / f.n() * 1e6, f.jobs(), f.jobs() / Math.max(1, f.passes()),
          f.baseline() / 1e9, f.peakSampled() / 1e9, f.acc(), f.nmi()));
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("n", f.n());
      j.putAll(f.json());
      j.put("heapBaselineBytes", f.baseline());
      j.put("heapPeakSampledBytes", f.peakSampled());
      j.put("heapPeakPoolsSumBytes", f.peakPools());
      j.putAll(f.details());
      Fit base = first.putIfAbsent(f.method(), f);
      if (base != null) {
        double growth = (f.seconds().median() / f.n()) / (base.seconds().median() / base.n());
        j.put("timePerRowRelativeToSmallestN", growth);
      }
      rows.add(j);
    }
    // growth with N and fulldata vs K-means, per size
    for (String method : cfg.methods()) {
      Fit base = first.get(method);
      for (Fit f : fits) {
        if (f.method().equals(method) && f != base) {
          sb.append(String.format("  %s: N %,d -> %,d (x%.1f): fit time x%.2f (linear would be"
              + " x%.1f; time per row %+.0f%%)%n", method, base.n(), f.n(),
              (double) f.n() / base.n(), f.seconds().median() / base.seconds().median(),
              (double) f.n() / base.n(), 100 * ((f.seconds().median() / f.n())
                  / (base.seconds().median() / base.n()) - 1)));
        }
      }
    }
    for (Fit f : fits) {
      if (f.method().startsWith("cce")) {
        for (Fit km : fits) {
          if (km.method().equals("kmeans") && km.n() == f.n()) {
            sb.append(String.format("  N=%,d: %s fit / K-means fit = %.2f%n", f.n(), f.method(),
                f.seconds().median() / km.seconds().median()));
          }
        }
      }
    }
    Map<String, Object> json = new LinkedHashMap<>();
    Map<String, Object> settings = settingsJson(cfg);
    settings.put("master", spark.sparkContext().master());
    settings.put("maxHeapBytes", maxHeap);
    json.put("settings", settings);
    json.put("data", data);
    json.put("results", rows);
    return new BenchResult("end-to-end", sb.toString(), json);
  }
}
