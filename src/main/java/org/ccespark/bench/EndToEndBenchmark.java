package org.ccespark.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
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

  /**
   * What {@code bench.json} holds for this benchmark.
   *
   * @param settings the settings
   * @param data per size, the time to generate and cache the blobs
   * @param results per size and method
   */
  public record Report(Settings settings, List<DataPrep> data, List<Result> results) {}

  /**
   * The settings of the fits, shared with the scale-out benchmark.
   *
   * @param epochs CCE epochs, or {@code "default"}
   * @param fulldataEmMaxIter emMaxIter of the fulldata schedule, or {@code "default"}
   */
  public record FitSettings(long[] sizes, int dim, int k, List<String> methods, Object epochs,
      Object fulldataEmMaxIter, int partitions, long seed, int reps, int warmupRows) {}

  /** {@link FitSettings} and where the fits ran. */
  public record Settings(@JsonUnwrapped FitSettings fits, String master, long maxHeapBytes) {}

  /** The blobs of one size. */
  public record DataPrep(long n, double generateAndCacheSeconds) {}

  /**
   * One size's fit of one method: its figures, the heap, the model's own figures and, after the
   * smallest size, how its time per row grew.
   */
  public record Result(long n, @JsonUnwrapped FitFigures fit, long heapBaselineBytes,
      long heapPeakSampledBytes, long heapPeakPoolsSumBytes, @JsonUnwrapped Details details,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double timePerRowRelativeToSmallestN) {}

  /** Method, fit time, passes, time per pass, Spark jobs and scores of one timed fit. */
  public record FitFigures(String method, Timing.Stats fitSeconds, double passes, String pass,
      double secondsPerPass, long sparkJobs, double sparkJobsPerPass, double acc, double nmi) {}

  /** The fitted model's own figures: {@link CceDetails} or {@link KMeansDetails}. */
  public sealed interface Details permits CceDetails, KMeansDetails {}

  /** A CCE model's training summary and the settings that bound its passes. */
  public record CceDetails(int epochs, double[] lossPerEpoch, double[] emIterationsPerEpoch,
      double trainingSeconds, int emMaxIter, int batchSize) implements Details {}

  /** An MLlib K-means model's training summary and settings. */
  public record KMeansDetails(int iterations, double trainingCost, int maxIter, String initMode)
      implements Details {}

  /** One timed fit, with the predictions of its last repetition by row. */
  record Fit(long n, String method, Timing.Stats seconds, double passes, String passName,
      long jobs, long peakSampled, long peakPools, long baseline, double acc, double nmi,
      Details details, int[] predictions) {
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
    FitFigures figures() {
      return new FitFigures(method, seconds, passes, passName, secondsPerPass(), jobs,
          jobs / Math.max(1, passes), acc, nmi);
    }
  }

  /**
   * Runs the benchmark on {@code spark}.
   *
   * @param progress receives a line per phase (generation, each fit)
   */
  public static BenchResult<Report> run(SparkSession spark, Config cfg,
      Consumer<String> progress) {
    warmUp(spark, cfg, "end-to-end", progress);
    List<Fit> fits = new ArrayList<>();
    List<DataPrep> data = new ArrayList<>();
    for (long n : cfg.sizes()) {
      progress.accept(String.format("end-to-end: generating and caching %,d x %d blobs (k=%d, %d"
          + " partitions)", n, cfg.dim(), cfg.k(), cfg.partitions()));
      long t0 = System.nanoTime();
      Dataset<Row> blobs = GaussianBlobs.cached(spark, n, cfg.dim(), cfg.k(), cfg.seed(),
          cfg.partitions());
      double cacheSeconds = (System.nanoTime() - t0) / 1e9;
      data.add(new DataPrep(n, cacheSeconds));
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
    Details details;
    double passes;
    String passName;
    if (model instanceof CollisionClusteringModel cce) {
      passes = cce.summary().numIter();
      passName = "epoch";
      details = new CceDetails(cce.summary().numIter(), cce.summary().lossPerEpoch(),
          cce.summary().emIterationsPerEpoch(), cce.summary().trainingSeconds(),
          cce.getEmMaxIter(), cce.getBatchSize());
    } else {
      KMeansModel km = (KMeansModel) model;
      passes = km.summary().numIter();
      passName = "iteration";
      details = new KMeansDetails(km.summary().numIter(), km.summary().trainingCost(),
          km.getMaxIter(), km.getInitMode());
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
  static FitSettings settingsJson(Config cfg) {
    return new FitSettings(cfg.sizes(), cfg.dim(), cfg.k(), cfg.methods(),
        cfg.epochs() == null ? "default" : cfg.epochs(),
        cfg.fulldataEmMaxIter() == null ? "default" : cfg.fulldataEmMaxIter(), cfg.partitions(),
        cfg.seed(), cfg.reps(), cfg.warmupRows());
  }

  private static BenchResult<Report> result(SparkSession spark, Config cfg, List<Fit> fits,
      List<DataPrep> data) {
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
    List<Result> rows = new ArrayList<>();
    Map<String, Fit> first = new LinkedHashMap<>();
    for (Fit f : fits) {
      sb.append(String.format("%,9d  %-14s  %-22s  %6.0f  %-16s  %-11.2f  %7d  %9.1f  %7.2fGB  %7.2fGB  %.4f  %.4f%n",
          f.n(), f.method(), f.secondsText(), f.passes(), f.perPassText(),
          f.secondsPerPass() / f.n() * 1e6, f.jobs(), f.jobs() / Math.max(1, f.passes()),
          f.baseline() / 1e9, f.peakSampled() / 1e9, f.acc(), f.nmi()));
      Fit base = first.putIfAbsent(f.method(), f);
      Double growth = base == null ? null
          : (f.seconds().median() / f.n()) / (base.seconds().median() / base.n());
      rows.add(new Result(f.n(), f.figures(), f.baseline(), f.peakSampled(), f.peakPools(),
          f.details(), growth));
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
    Settings settings = new Settings(settingsJson(cfg), spark.sparkContext().master(), maxHeap);
    return new BenchResult<>("end-to-end", sb.toString(), new Report(settings, data, rows));
  }
}
