package org.ccespark.app;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.CommandLine.Command;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.bench.BenchResult;
import org.ccespark.bench.EmVsPgdBenchmark;
import org.ccespark.bench.EndToEndBenchmark;
import org.ccespark.bench.DeepEpochBenchmark;
import org.ccespark.bench.FeaturesBenchmark;
import org.ccespark.bench.KernelBenchmark;
import org.ccespark.bench.ScaleOutBenchmark;
import org.ccespark.features.ModelSpec;

/**
 * {@code bench}: the performance benchmarks of {@link org.ccespark.bench} (EM vs PGD, EM kernel
 * throughput, end to end vs MLlib K-means, scaling out over standalone Workers); prints a table per
 * benchmark and writes {@code bench.json} and {@code tables.txt}. The launcher's Spark session is
 * started only for {@code end-to-end}; {@code scale-out} makes its own per cluster.
 */
final class BenchCommand {
  /** Where the bench writes when no {@code --output} is given (relative to the current folder). */
  static final String DEFAULT_OUTPUT = "target/bench-output";
  /** The benchmarks run by default, in run order. */
  static final List<String> BENCHMARKS = List.of("em-vs-pgd", "kernel", "end-to-end",
      "scale-out");
  /** Benchmarks run only when named with --only (too slow for a default run). */
  static final List<String> OPT_IN = List.of("features", "deep");

  static final Command COMMAND = new Command("bench",
      "[--only NAME[,NAME...]] [--sizes N,N,...] [--dim D] [--k K] [--output DIR] [options]",
      "performance benchmarks: EM vs PGD, EM kernel, end to end vs K-means, scale-out",
      "Runs the benchmarks and prints a table for each: em-vs-pgd (the paper's Table 1: one block"
          + " of pseudo-labels solved by projected gradient descent on eq. 10 at several step"
          + " sizes and by EM on eq. 11, plain and SQUAREM-accelerated, same tolerance, single"
          + " thread), kernel (point.classes per second of one EM iteration, single thread, with"
          + " the mean Newton steps per point), and end-to-end (fits of CCE with each schedule and"
          + " of MLlib K-means on the same cached Gaussian blobs of N x D, time, time per pass,"
          + " peak heap, growth with N; runs on the launcher's Spark master, e.g."
          + " CCE_MASTER=local[2]), and scale-out (the same fits on a real standalone cluster on"
          + " 127.0.0.1 with 1, then 2 Workers of one core each, started with the project's"
          + " submit/standalone-cluster and always stopped; this JVM is the driver; reports fit"
          + " time, time per pass, speed-up, whether predictions are identical across Worker"
          + " counts, and the load average during each fit; needs a cce-spark checkout, as"
          + " submit/cce provides). Only when named: features (images per second and peak resident"
          + " memory of image feature extraction on the CPU, cce-spark's batches against DJL's bare"
          + " Predictor on the same model and batches, per input size; the default model,"
          + " ResNet-50 with random weights, takes about 1 s per image at 224x224 on 2 cores);"
          + " deep (seconds per epoch of train-deep's VGG4 on the CPU with E.2's settings, on"
          + " --deep-images images of --deep-dataset, and the process's peak resident memory and"
          + " heap; about 3 min per epoch on 10,000 MNIST digits on 2 cores)."
          + "\n\nTimes are wall-clock (System.nanoTime) after warm-up runs: median [min-max] over"
          + " the repetitions. end-to-end is heavy: at 200,000 x 2048 the cached data alone is"
          + " about 3.3 GB and K-means takes minutes; give the JVM a large heap"
          + " (CCE_DRIVER_MEMORY=12g)."
          + "\n\nWrites into DIR: bench.json (settings, machine and every figure) and tables.txt"
          + " (the printed tables). The default DIR, " + DEFAULT_OUTPUT + " under the current"
          + " folder, is replaced on every run; an explicit --output is replaced only with"
          + " --overwrite.",
      List.of(
          Option.value("--only", "NAME[,NAME...]", String.join(",", BENCHMARKS),
              "benchmarks to run, among " + String.join(", ", BENCHMARKS) + " and (only when"
                  + " named) " + String.join(", ", OPT_IN)),
          Option.value("--output", "DIR", DEFAULT_OUTPUT, "output folder"),
          Option.value("--reps", "N", "5", "timed repetitions (em-vs-pgd: per solver, within"
              + " --budget; kernel: EM iterations)"),
          Option.value("--warmup", "N", "2", "untimed warm-up runs (em-vs-pgd: truncated solves;"
              + " kernel: EM iterations)"),
          Option.value("--seed", "N", "1", "seed of every random input and estimator"),
          Option.value("--lambda", "X", "100", "fairness weight of em-vs-pgd and kernel"),
          Option.value("--em-pgd-k", "K,K,...", "2,20,200,1000", "em-vs-pgd: numbers of classes"),
          Option.value("--block", "M", "250", "em-vs-pgd: points per block (the default"
              + " mini-batch size)"),
          Option.value("--tol", "X", "1e-5", "em-vs-pgd: stopping tolerance on y, both solvers"),
          Option.value("--em-max-iter", "N", "20000", "em-vs-pgd: cap on EM M-steps"),
          Option.value("--pgd-max-iter", "N", "2000", "em-vs-pgd: cap on PGD iterations"),
          Option.value("--budget", "SECONDS", "20", "em-vs-pgd: time budget of one solver's"
              + " repetitions (at least one always runs)"),
          Option.value("--logit-scale", "X", "3", "em-vs-pgd and kernel: sigma = softmax(X z),"
              + " z ~ N(0,1)"),
          Option.value("--kernel-k", "K,K,...", "10,100,1000", "kernel: numbers of classes"),
          Option.value("--point-classes", "N", "2000000", "kernel: points x classes per block"),
          Option.value("--sizes", "N,N,...", "50000,100000,200000", "end-to-end: numbers of rows"),
          Option.value("--dim", "D", "2048", "end-to-end: dimension"),
          Option.value("--k", "K", "10", "end-to-end: clusters (and blobs)"),
          Option.value("--methods", "M,M,...", String.join(",", EndToEndBenchmark.METHODS),
              "end-to-end: methods, among " + String.join(", ", EndToEndBenchmark.METHODS)),
          Option.value("--epochs", "N", "estimator default", "end-to-end: CCE epochs"),
          Option.value("--fulldata-em-max-iter", "N", "estimator default",
              "end-to-end: emMaxIter of the fulldata schedule (one Spark job per EM iteration)"),
          Option.value("--partitions", "N", "Spark's default parallelism",
              "end-to-end: partitions of the cached data"),
          Option.value("--fits", "N", "1", "end-to-end and scale-out: timed fits per method and"
              + " size or Worker count"),
          Option.value("--warmup-rows", "N", "2000", "end-to-end and scale-out: rows of the"
              + " untimed warm-up fits (0: none)"),
          Option.value("--scale-out-rows", "N", "40000", "scale-out: number of rows (with --dim,"
              + " --k, --methods, --epochs, --fulldata-em-max-iter)"),
          Option.value("--workers", "W,W,...", "1,2", "scale-out: Worker counts (1 core each)"),
          Option.value("--executor-memory", "M", "4g", "scale-out: memory of each Worker and its"
              + " executor"),
          Option.value("--scale-out-partitions", "N", "the largest Worker count",
              "scale-out: partitions of the cached data, the same at every Worker count"),
          Option.value("--features-model", "NAME|FILE", ModelSpec.RANDOM_RESNET50,
              "features: model (see extract --model)"),
          Option.value("--deep-dataset", "PATH|NAME", "mnist10k", "deep: training images"),
          Option.value("--deep-images", "N", "10000", "deep: images (a seeded sample; 0: all)"),
          Option.value("--deep-epochs", "N", "1", "deep: epochs timed"),
          Option.value("--deep-batch", "N", "250", "deep: images per step"),
          Option.value("--deep-augmentation-weight", "W", "0.5", "deep: self-augmentation"
              + " weight (0: no augmented pass)"),
          Option.value("--features-sizes", "N,N,...", "96,224", "features: input sizes"),
          Option.value("--features-batch", "N", "32", "features: images per batch"),
          Option.value("--features-batches", "N", "2", "features: timed batches per variant and"
              + " size (after one warm-up batch)"),
          Option.value("--features-variants", "V,V,...", String.join(",",
              FeaturesBenchmark.VARIANTS), "features: among " + String.join(", ",
              FeaturesBenchmark.VARIANTS) + "; one per process gives clean peak memory"),
          Option.flag("--overwrite", "replace an existing --output DIR")));

  private final Parsed args;
  private final PrintStream out;

  BenchCommand(Parsed args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  void run() {
    long t0 = System.nanoTime();
    List<String> only = new ArrayList<>();
    for (String s : list("--only", String.join(",", BENCHMARKS))) {
      String name = s.toLowerCase(Locale.ROOT);
      if (!BENCHMARKS.contains(name) && !OPT_IN.contains(name)) {
        throw new UsageException("--only must name benchmarks among " + String.join(", ",
            BENCHMARKS) + ", " + String.join(", ", OPT_IN) + ", got '" + s + "'");
      }
      if (!only.contains(name)) {
        only.add(name);
      }
    }
    int reps = args.integer("--reps", 5, 1);
    int warmup = args.integer("--warmup", 2, 0);
    long seed = args.integer("--seed", 1, 0);
    double lambda = args.number("--lambda", 100, 0);
    double logitScale = args.number("--logit-scale", 3, 0);
    EmVsPgdBenchmark.Config emPgd = new EmVsPgdBenchmark.Config(ints("--em-pgd-k", "2,20,200,1000",
        2), args.integer("--block", 250, 1), lambda, args.number("--tol", 1e-5, Double.MIN_VALUE),
        args.integer("--em-max-iter", 20000, 1), args.integer("--pgd-max-iter", 2000, 1),
        logitScale, seed, warmup, reps, args.number("--budget", 20, 0));
    KernelBenchmark.Config kernel = new KernelBenchmark.Config(ints("--kernel-k", "10,100,1000", 2),
        args.integer("--point-classes", 2_000_000, 1), lambda, logitScale, seed, warmup, reps);
    List<String> methods = new ArrayList<>();
    for (String s : list("--methods", String.join(",", EndToEndBenchmark.METHODS))) {
      String m = s.toLowerCase(Locale.ROOT);
      if (!EndToEndBenchmark.METHODS.contains(m)) {
        throw new UsageException("--methods must name methods among " + String.join(", ",
            EndToEndBenchmark.METHODS) + ", got '" + s + "'");
      }
      methods.add(m);
    }
    int[] sizeInts = ints("--sizes", "50000,100000,200000", 1);
    long[] sizes = Arrays.stream(sizeInts).asLongStream().toArray();
    int dim = args.integer("--dim", 2048, 1);
    int k = args.integer("--k", 10, 2);
    for (long n : sizes) {
      if (n < k) {
        throw new UsageException("--sizes: every size must be at least --k (" + k + "), got " + n);
      }
    }
    Integer epochs = args.has("--epochs") ? args.integer("--epochs", 0, 1) : null;
    Integer fulldataEm = args.has("--fulldata-em-max-iter")
        ? args.integer("--fulldata-em-max-iter", 0, 1) : null;
    Integer partitions = args.has("--partitions") ? args.integer("--partitions", 0, 1) : null;
    int fits = args.integer("--fits", 1, 1);
    int warmupRows = args.integer("--warmup-rows", 2000, 0);
    if (warmupRows > 0 && warmupRows < k) {
      throw new UsageException("--warmup-rows must be 0 or at least --k (" + k + ")");
    }

    long scaleRows = args.integer("--scale-out-rows", 40000, k);
    int[] workers = ints("--workers", "1,2", 1);
    String executorMemory = args.string("--executor-memory", "4g").trim();
    if (!executorMemory.matches("[1-9][0-9]*[mMgG]")) {
      throw new UsageException("--executor-memory must look like 512m or 4g, got '"
          + executorMemory + "'");
    }
    int scalePartitions = args.has("--scale-out-partitions")
        ? args.integer("--scale-out-partitions", 0, 1) : Arrays.stream(workers).max().getAsInt();
    ScaleOutBenchmark.Config scaleOut = only.contains("scale-out")
        ? new ScaleOutBenchmark.Config(scaleRows, dim, k, methods, workers, executorMemory, epochs,
            fulldataEm, scalePartitions, seed, fits, warmupRows, ScaleOutBenchmark.projectRoot())
        : null;
    List<String> variants = new ArrayList<>();
    for (String s : list("--features-variants", String.join(",", FeaturesBenchmark.VARIANTS))) {
      String v = s.toLowerCase(Locale.ROOT);
      if (!FeaturesBenchmark.VARIANTS.contains(v)) {
        throw new UsageException("--features-variants must name variants among " + String.join(
            ", ", FeaturesBenchmark.VARIANTS) + ", got '" + s + "'");
      }
      variants.add(v);
    }
    FeaturesBenchmark.Config features = new FeaturesBenchmark.Config(
        args.string("--features-model", ModelSpec.RANDOM_RESNET50), ints("--features-sizes",
            "96,224", 1), args.integer("--features-batch", 32, 1),
        args.integer("--features-batches", 2, 1), variants, seed);

    DeepEpochBenchmark.Config deep = new DeepEpochBenchmark.Config(
        args.string("--deep-dataset", "mnist10k"), args.integer("--deep-images", 10000, 0),
        args.integer("--deep-epochs", 1, 1), args.integer("--deep-batch", 250, 1),
        args.number("--deep-augmentation-weight", 0.5, 0), seed);

    String output = args.string("--output", DEFAULT_OUTPUT);
    boolean overwrite = args.has("--overwrite") || !args.has("--output");
    SparkSession spark = only.contains("end-to-end") ? Main.session() : null;
    Configuration conf = spark != null ? spark.sparkContext().hadoopConfiguration()
        : new Configuration();
    Map<String, Object> sparkInfo = spark != null ? ClusteringRun.sparkInfo(spark) : null;
    try (OutputDir dir = OutputDir.open(conf, output, overwrite,
        OutputDir.Other.input("--features-model", args.string("--features-model", null)),
        OutputDir.Other.input("--deep-dataset", args.string("--deep-dataset", null)))) {
      Map<String, Object> benchmarks = new LinkedHashMap<>();
      StringBuilder tables = new StringBuilder();
      for (String name : only) {
        out.printf("running %s ...%n", name);
        BenchResult<?> r = switch (name) {
          case "em-vs-pgd" -> EmVsPgdBenchmark.run(emPgd);
          case "kernel" -> KernelBenchmark.run(kernel);
          case "scale-out" -> ScaleOutBenchmark.run(scaleOut, out::println);
          case "features" -> FeaturesBenchmark.run(features, out::println);
          case "deep" -> DeepEpochBenchmark.run(deep, out::println);
          default -> EndToEndBenchmark.run(spark, new EndToEndBenchmark.Config(sizes, dim, k,
              methods, epochs, fulldataEm, partitions != null ? partitions
                  : spark.sparkContext().defaultParallelism(), seed, fits, warmupRows),
              out::println);
        };
        out.println();
        out.print(r.table());
        out.println();
        tables.append(r.table()).append('\n');
        benchmarks.put(r.name(), r.json());
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("command", "bench");
      json.put("benchmarks", benchmarks);
      json.put("machine", machine());
      if (sparkInfo != null) {
        json.put("spark", sparkInfo);
      }
      json.put("seconds", Map.of("total", (System.nanoTime() - t0) / 1e9));
      dir.writeJson("bench.json", json);
      dir.writeText("tables.txt", tables.toString());
      dir.commit();
      out.printf("wrote %s: bench.json, tables.txt (%.1f s in all)%n", dir.display(),
          (System.nanoTime() - t0) / 1e9);
    }
  }

  /** Processors, Java and OS, and the heap limit. */
  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    m.put("javaVersion", System.getProperty("java.version"));
    m.put("javaVm", System.getProperty("java.vm.name"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("maxHeapBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax());
    return m;
  }

  private List<String> list(String name, String fallback) {
    List<String> out = new ArrayList<>();
    for (String s : args.string(name, fallback).split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    if (out.isEmpty()) {
      throw new UsageException(name + " needs at least one value");
    }
    return out;
  }

  private int[] ints(String name, String fallback, int min) {
    List<String> items = list(name, fallback);
    int[] out = new int[items.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Integer.parseInt(items.get(i));
      } catch (NumberFormatException e) {
        throw new UsageException(name + " expects integers separated by commas, got '"
            + args.string(name, fallback) + "'");
      }
      if (out[i] < min) {
        throw new UsageException(name + ": every value must be at least " + min + ", got "
            + out[i]);
      }
    }
    return out;
  }


}
