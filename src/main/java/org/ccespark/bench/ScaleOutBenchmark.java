package org.ccespark.bench;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.GaussianBlobs;

/**
 * The end-to-end fits ({@link EndToEndBenchmark}: CCE per schedule and MLlib K-means on cached
 * {@link GaussianBlobs}) on a real Spark standalone cluster of 1, 2, ... Workers with one core
 * each, on 127.0.0.1. For each Worker count it starts the cluster with the project's own
 * {@code submit/standalone-cluster} script (Master, Workers and their executors are separate JVMs
 * on the project's classpath), runs the fits with this JVM as the driver (client mode, the
 * application jar shipped with {@code spark.jars}), and stops the cluster, also when a fit fails
 * or the JVM is interrupted. The data keep the same partitioning at every Worker count, so the
 * fits must give identical predictions; the benchmark reports whether they do, the speed-up over
 * the first Worker count, and the system load average sampled during each fit (the machine may
 * be shared).
 */
public final class ScaleOutBenchmark {
  private ScaleOutBenchmark() {}

  private static final String LOOPBACK = "127.0.0.1";

  /**
   * Settings.
   *
   * @param n rows
   * @param dim dimension D
   * @param k clusters (and blobs)
   * @param methods among {@link EndToEndBenchmark#METHODS}
   * @param workers Worker counts, in run order (each Worker offers one core)
   * @param executorMemory memory of each Worker and of its executor, e.g. {@code 4g}
   * @param epochs CCE epochs, or null for the estimator's default
   * @param fulldataEmMaxIter emMaxIter of the fulldata schedule, or null for the default
   * @param partitions partitions of the cached data (the same at every Worker count)
   * @param seed seed of the data and of every estimator
   * @param reps timed fits per method and Worker count
   * @param warmupRows rows of the warm-up fits run on every new cluster (0: none)
   * @param projectRoot the cce-spark checkout holding {@code submit/standalone-cluster} and the
   *     built {@code target/}
   */
  public record Config(long n, int dim, int k, List<String> methods, int[] workers,
      String executorMemory, Integer epochs, Integer fulldataEmMaxIter, int partitions, long seed,
      int reps, int warmupRows, Path projectRoot) {
    /** The same fits as an end-to-end benchmark of the one size {@code n}. */
    EndToEndBenchmark.Config fits() {
      return new EndToEndBenchmark.Config(new long[] {n}, dim, k, methods, epochs,
          fulldataEmMaxIter, partitions, seed, reps, warmupRows);
    }
  }

  /**
   * What {@code bench.json} holds for this benchmark.
   *
   * @param settings the settings
   * @param clusters per Worker count (as a string), the cluster it ran on
   * @param results per Worker count and method
   */
  public record Report(Settings settings, Map<String, ClusterInfo> clusters,
      List<Result> results) {}

  /** The fits' settings and the clusters' shape. */
  public record Settings(@JsonUnwrapped EndToEndBenchmark.FitSettings fits, int[] workers,
      int coresPerWorker, String executorMemory) {}

  /** One cluster: its master, application and the load averages at its start and end. */
  public record ClusterInfo(String masterUrl, double[] loadAverageAtStart, String applicationId,
      double[] loadAverageAtEnd) {}

  /**
   * One Worker count's fit of one method, compared with the same method's fit on the first
   * Worker count ({@code speedupOverNWorkers}, {@code predictionsDifferingFromNWorkers},
   * {@code predictionsIdenticalToNWorkers}, N that count; absent on the first).
   */
  public record Result(int workers, @JsonUnwrapped EndToEndBenchmark.FitFigures fit,
      double loadAverageMean, double loadAverageMax, @JsonIgnore Comparison comparison,
      @JsonUnwrapped EndToEndBenchmark.Details details) {
    /** {@link #comparison()} under its field names, which name the first Worker count. */
    @JsonAnyGetter
    public Map<String, Object> comparisonFields() {
      Map<String, Object> out = new LinkedHashMap<>();
      if (comparison != null) {
        int w = comparison.baseWorkers();
        out.put("speedupOver" + w + "Workers", comparison.speedup());
        out.put("predictionsDifferingFrom" + w + "Workers", comparison.predictionsDiffering());
        out.put("predictionsIdenticalTo" + w + "Workers", comparison.predictionsDiffering() == 0);
      }
      return out;
    }
  }

  /** A fit against the same method's fit on {@code baseWorkers} Workers. */
  public record Comparison(int baseWorkers, double speedup, int predictionsDiffering) {}

  /** One Worker count's fit of one method. */
  record Run(int workers, EndToEndBenchmark.Fit fit, double loadMean, double loadMax) {}

  /** Runs the benchmark; {@code progress} receives a line per phase and the script's output. */
  public static BenchResult<Report> run(Config cfg, Consumer<String> progress) {
    Path jar = applicationJar(cfg.projectRoot());
    EndToEndBenchmark.Config fits = cfg.fits();
    List<Run> runs = new ArrayList<>();
    Map<Integer, ClusterInfo> clusters = new LinkedHashMap<>();
    stopSessions();
    for (int w : cfg.workers()) {
      try (ScriptCluster cluster = ScriptCluster.start(cfg.projectRoot(), w,
          cfg.executorMemory(), progress)) {
        double[] loadAtStart = loadAverages();
        String applicationId;
        SparkSession spark = SparkSession.builder()
            .master(cluster.masterUrl)
            .appName("cce-spark bench scale-out (" + w + " workers)")
            .config("spark.jars", jar.toString())
            .config("spark.executor.memory", cfg.executorMemory())
            .config("spark.driver.host", LOOPBACK)
            .config("spark.driver.bindAddress", LOOPBACK)
            .getOrCreate();
        try {
          applicationId = spark.sparkContext().applicationId();
          EndToEndBenchmark.warmUp(spark, fits, "scale-out (" + w + " workers)", progress);
          progress.accept(String.format("scale-out: %d workers: generating and caching %,d x %d"
              + " blobs (k=%d, %d partitions)", w, cfg.n(), cfg.dim(), cfg.k(),
              cfg.partitions()));
          Dataset<Row> blobs = GaussianBlobs.cached(spark, cfg.n(), cfg.dim(), cfg.k(),
              cfg.seed(), cfg.partitions());
          try {
            for (String method : cfg.methods()) {
              progress.accept(String.format("scale-out: %d workers: fitting %s", w, method));
              OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
              Sampler load = Sampler.started("cce-bench-load-sampler",
                  os::getSystemLoadAverage, 1000);
              EndToEndBenchmark.Fit f;
              try {
                f = EndToEndBenchmark.timedFit(method, fits, blobs, cfg.n());
              } finally {
                load.halt();
              }
              runs.add(new Run(w, f, load.mean(), load.max()));
              progress.accept(String.format("scale-out: %d workers: %s fit %.1f s (load average"
                  + " %.2f mean, %.2f max)", w, method, f.seconds().median(), load.mean(),
                  load.max()));
            }
          } finally {
            blobs.unpersist(true);
          }
        } finally {
          stopSessions();
        }
        clusters.put(w, new ClusterInfo(cluster.masterUrl, loadAtStart, applicationId,
            loadAverages()));
      }
    }
    return result(cfg, runs, clusters);
  }

  /** Stops the active and default sessions, so the next builder makes a new one. */
  private static void stopSessions() {
    SparkSession.getActiveSession().foreach(s -> {
      s.stop();
      return null;
    });
    SparkSession.getDefaultSession().foreach(s -> {
      s.stop();
      return null;
    });
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  /** The table and JSON of the runs: per Worker count and method, speed-up, equal predictions. */
  static BenchResult<Report> result(Config cfg, List<Run> runs,
      Map<Integer, ClusterInfo> clusters) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("Scale-out on a standalone cluster on 127.0.0.1 (Workers of 1 core,"
        + " executor memory %s each; driver in this JVM): N=%,d x D=%d, k=%d, %d partitions; CCE"
        + " epochs %s, fulldata emMaxIter %s; K-means MLlib defaults%n", cfg.executorMemory(),
        cfg.n(), cfg.dim(), cfg.k(), cfg.partitions(),
        cfg.epochs() == null ? "default" : cfg.epochs(),
        cfg.fulldataEmMaxIter() == null ? "default" : cfg.fulldataEmMaxIter()));
    sb.append(String.format("%7s  %-14s  %-22s  %6s  %-16s  %6s  %6s  %-14s%n", "workers",
        "method", "fit s", "passes", "s per pass", "ACC", "NMI", "load mean/max"));
    List<Result> rows = new ArrayList<>();
    Map<String, Run> first = new LinkedHashMap<>();
    for (Run r : runs) {
      EndToEndBenchmark.Fit f = r.fit();
      sb.append(String.format("%7d  %-14s  %-22s  %6.0f  %-16s  %.4f  %.4f  %-14s%n", r.workers(),
          f.method(), f.secondsText(), f.passes(), f.perPassText(), f.acc(), f.nmi(),
          String.format("%.2f/%.2f", r.loadMean(), r.loadMax())));
      Run base = first.putIfAbsent(f.method(), r);
      Comparison comparison = base == null ? null : new Comparison(base.workers(),
          base.fit().seconds().median() / f.seconds().median(),
          differences(base.fit().predictions(), f.predictions()));
      rows.add(new Result(r.workers(), f.figures(), r.loadMean(), r.loadMax(), comparison,
          f.details()));
    }
    for (Run r : runs) {
      Run base = first.get(r.fit().method());
      if (base != r) {
        int differ = differences(base.fit().predictions(), r.fit().predictions());
        sb.append(String.format("  %s: %d -> %d workers: fit speed-up x%.2f, per pass x%.2f;"
            + " predictions %s%n", r.fit().method(), base.workers(), r.workers(),
            base.fit().seconds().median() / r.fit().seconds().median(),
            base.fit().secondsPerPass() / r.fit().secondsPerPass(),
            differ == 0 ? "identical" : differ + " of " + r.fit().predictions().length
                + " differ"));
      }
    }
    sb.append("  load mean/max: the system's 1-minute load average sampled every second during"
        + " the fit (the cluster's own busy cores count; with 2 cores, more means other work)\n");
    Settings settings = new Settings(EndToEndBenchmark.settingsJson(cfg.fits()), cfg.workers(),
        1, cfg.executorMemory());
    Map<String, ClusterInfo> c = new LinkedHashMap<>();
    clusters.forEach((w, info) -> c.put(Integer.toString(w), info));
    return new BenchResult<>("scale-out", sb.toString(), new Report(settings, c, rows));
  }

  /** Rows whose prediction differs; all of them when the lengths differ. */
  static int differences(int[] a, int[] b) {
    if (a.length != b.length) {
      return Math.max(a.length, b.length);
    }
    int d = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        d++;
      }
    }
    return d;
  }

  /** {@code /proc/loadavg}'s 1-, 5- and 15-minute load averages, or the JVM's 1-minute one. */
  static double[] loadAverages() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]),
          Double.parseDouble(f[2])};
    } catch (IOException | RuntimeException e) {
      return new double[] {ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()};
    }
  }

  // ------------------------------------------------------------------------------- the checkout

  /**
   * The cce-spark checkout this code runs from: the system property {@code cce.home} if set, else
   * the folder above {@code target/} holding this class (its jar or {@code target/classes}).
   *
   * @throws IllegalStateException if it holds no {@code submit/standalone-cluster}
   */
  public static Path projectRoot() {
    String home = System.getProperty("cce.home");
    Path root = null;
    if (home != null) {
      root = Path.of(home);
    } else {
      try {
        Path location = Path.of(ScaleOutBenchmark.class.getProtectionDomain().getCodeSource()
            .getLocation().toURI());
        root = location.getParent() != null ? location.getParent().getParent() : null;
      } catch (URISyntaxException | RuntimeException e) {
        // Reported below.
      }
    }
    if (root == null || !Files.isRegularFile(root.resolve("submit/standalone-cluster"))) {
      throw new IllegalStateException("scale-out starts its cluster with the project's"
          + " submit/standalone-cluster and so needs a cce-spark checkout: run it with submit/cce"
          + " from a clone, or set -Dcce.home=<checkout>" + (root == null ? "" : " (looked in "
          + root + ")"));
    }
    return root.toAbsolutePath().normalize();
  }

  /** The application jar for the executors: {@code target/cce-spark_2.13-<version>-app.jar}. */
  static Path applicationJar(Path root) {
    try (Stream<Path> files = Files.list(root.resolve("target"))) {
      return files.filter(p -> {
        String name = p.getFileName().toString();
        return name.startsWith("cce-spark_2.13-") && name.endsWith("-app.jar");
      }).findFirst().orElseThrow(() -> new IllegalStateException("no application jar"
          + " target/cce-spark_2.13-<version>-app.jar in " + root + ": build it with ./mvnw -DskipTests"
          + " package (submit/cce does)"));
    } catch (IOException e) {
      throw new IllegalStateException("no application jar in " + root.resolve("target")
          + ": build it with ./mvnw -DskipTests package", e);
    }
  }

  // -------------------------------------------------------------------------------- the cluster

  /**
   * A cluster started by {@code submit/standalone-cluster start} on free loopback ports and
   * stopped by {@code submit/standalone-cluster stop} on {@link #close()} or, if the JVM exits
   * first, by a shutdown hook.
   */
  private static final class ScriptCluster implements AutoCloseable {
    private final Path root;
    private final Consumer<String> progress;
    private final Thread hook;
    final String masterUrl;
    private boolean stopped;

    private ScriptCluster(Path root, String masterUrl, Consumer<String> progress) {
      this.root = root;
      this.masterUrl = masterUrl;
      this.progress = progress;
      this.hook = new Thread(() -> script(root, progress, "stop"), "scale-out-cluster-stop");
    }

    static ScriptCluster start(Path root, int workers, String memory, Consumer<String> progress) {
      if (script(root, line -> { }, "status") != 3) {
        throw new IllegalStateException("a standalone cluster of " + root + " is already running"
            + " (submit/standalone-cluster status): stop it before the scale-out benchmark");
      }
      int[] ports = freePorts(workers);
      ScriptCluster cluster = new ScriptCluster(root, "spark://" + LOOPBACK + ":" + ports[0],
          progress);
      Runtime.getRuntime().addShutdownHook(cluster.hook);
      progress.accept("scale-out: starting a standalone cluster of " + workers + " worker(s)"
          + " (1 core, " + memory + " each) on " + cluster.masterUrl);
      int status = script(root, progress, "start", "--workers", Integer.toString(workers),
          "--cores", "1", "--memory", memory, "--port", Integer.toString(ports[0]),
          "--webui-port", Integer.toString(ports[1]));
      if (status != 0) {
        cluster.close();
        throw new IllegalStateException("submit/standalone-cluster start failed (exit status "
            + status + "); its output is above, its logs in " + root.resolve("target/standalone"));
      }
      return cluster;
    }

    @Override
    public void close() {
      if (stopped) {
        return;
      }
      stopped = true;
      script(root, progress, "stop");
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down: the hook runs too, and stop is idempotent.
      }
    }

    /** Runs the script with {@code args}, its output to {@code out}; returns its exit status. */
    private static int script(Path root, Consumer<String> out, String... args) {
      List<String> command = new ArrayList<>();
      command.add(root.resolve("submit/standalone-cluster").toString());
      command.addAll(Arrays.asList(args));
      try {
        Process p = new ProcessBuilder(command).directory(root.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            out.accept("  standalone-cluster " + args[0] + ": " + line);
          }
        }
        return p.waitFor();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run " + command.get(0), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running " + command, e);
      }
    }

    /**
     * A free port for the Master, and a web UI port U such that U, U+1, ..., U+workers are free
     * (the script gives Worker i the UI port U+i).
     */
    private static int[] freePorts(int workers) {
      for (int attempt = 0; attempt < 20; attempt++) {
        int master = freePort(0);
        int ui = freePort(0);
        boolean free = master < ui || master > ui + workers;
        for (int i = 1; free && i <= workers; i++) {
          free = freePort(ui + i) == ui + i;
        }
        if (free) {
          return new int[] {master, ui};
        }
      }
      throw new IllegalStateException("found no free ports on " + LOOPBACK + " for the cluster");
    }

    /** {@code port} if it is free now (0: any free port), else -1. */
    private static int freePort(int port) {
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
        s.setReuseAddress(true);
        return s.getLocalPort();
      } catch (IOException e) {
        return -1;
      }
    }
  }
}
