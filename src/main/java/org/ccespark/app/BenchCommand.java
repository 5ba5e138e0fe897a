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
import org.ccespark.app.Help.ShowDefault;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.bench.BenchResult;
import org.ccespark.bench.EmVsPgdBenchmark;
import org.ccespark.bench.EndToEndBenchmark;
import org.ccespark.bench.DeepEpochBenchmark;
import org.ccespark.bench.FeaturesBenchmark;
import org.ccespark.bench.KernelBenchmark;
import org.ccespark.bench.ScaleOutBenchmark;
import org.ccespark.features.ModelSpec;
import org.ccespark.pipeline.SparkInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the performance benchmarks of {@link org.ccespark.bench} (EM vs PGD, EM kernel
 * throughput, end to end vs MLlib K-means, scaling out over standalone Workers); prints a table per
 * benchmark and writes {@code bench.json} and {@code tables.txt}. The launcher's Spark session is
 * started only for {@code end-to-end}; {@code scale-out} makes its own per cluster.
 */
@Command(name = "bench", resourceBundle = "org.ccespark.app.CliTexts",
    customSynopsis = "[--only NAME[,NAME...]] [--sizes N,N,...] [--dim D] [--k K] [--output DIR]"
        + " [options]",
    header = "performance benchmarks: EM vs PGD, EM kernel, end to end vs K-means, scale-out",
    description = "Runs the benchmarks and prints a table for each: em-vs-pgd (the paper's Table 1: one block"
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
          + " (the printed tables). The default DIR, " + BenchCommand.DEFAULT_OUTPUT + " under the current"
          + " folder, is replaced on every run; an explicit --output is replaced only with"
          + " --overwrite.")
final class BenchCommand implements Cli.Command {
  /** Where the bench writes when no {@code --output} is given (relative to the current folder). */
  static final String DEFAULT_OUTPUT = "target/bench-output";
  /** The benchmarks run by default, in run order. */
  static final List<String> BENCHMARKS = List.of("em-vs-pgd", "kernel", "end-to-end",
      "scale-out");
  /** Benchmarks run only when named with --only (too slow for a default run). */
  static final List<String> OPT_IN = List.of("features", "deep");

  @Option(names = "--only", paramLabel = "NAME[,NAME...]",
      defaultValue = "${bundle:list.benchmarks-joined}", description = "benchmarks to run, among"
          + " ${bundle:list.benchmarks} and (only when named) ${bundle:list.opt-in}")
  String only;

  @Option(names = "--output", paramLabel = "DIR", defaultValue = DEFAULT_OUTPUT,
      description = "output folder")
  String output;

  @Option(names = "--reps", paramLabel = "N", defaultValue = "5", converter = OptionTypes.Min1.class,
      description = "timed repetitions (em-vs-pgd: per solver, within --budget; kernel: EM"
          + " iterations)")
  int reps;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", converter = OptionTypes.Min0.class,
      description = "untimed warm-up runs (em-vs-pgd: truncated solves; kernel: EM iterations)")
  int warmup;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", converter = OptionTypes.Min0.class,
      description = "seed of every random input and estimator")
  int seed;

  @Option(names = "--lambda", paramLabel = "X", defaultValue = "100",
      converter = OptionTypes.NonNegative.class, description = "fairness weight of em-vs-pgd and kernel")
  double lambda;

  @Option(names = "--em-pgd-k", paramLabel = "K,K,...", defaultValue = "2,20,200,1000",
      description = "em-vs-pgd: numbers of classes")
  String emPgdK;

  @Option(names = "--block", paramLabel = "M", defaultValue = "250", converter = OptionTypes.Min1.class,
      description = "em-vs-pgd: points per block (the default mini-batch size)")
  int block;

  @Option(names = "--tol", paramLabel = "X", defaultValue = "1e-5", converter = OptionTypes.Positive.class,
      description = "em-vs-pgd: stopping tolerance on y, both solvers")
  double tol;

  @Option(names = "--em-max-iter", paramLabel = "N", defaultValue = "20000",
      converter = OptionTypes.Min1.class, description = "em-vs-pgd: cap on EM M-steps")
  int emMaxIter;

  @Option(names = "--pgd-max-iter", paramLabel = "N", defaultValue = "2000",
      converter = OptionTypes.Min1.class, description = "em-vs-pgd: cap on PGD iterations")
  int pgdMaxIter;

  @Option(names = "--budget", paramLabel = "SECONDS", defaultValue = "20",
      converter = OptionTypes.NonNegative.class, description = "em-vs-pgd: time budget of one solver's"
          + " repetitions (at least one always runs)")
  double budget;

  @Option(names = "--logit-scale", paramLabel = "X", defaultValue = "3",
      converter = OptionTypes.NonNegative.class,
      description = "em-vs-pgd and kernel: sigma = softmax(X z), z ~ N(0,1)")
  double logitScale;

  @Option(names = "--kernel-k", paramLabel = "K,K,...", defaultValue = "10,100,1000",
      description = "kernel: numbers of classes")
  String kernelK;

  @Option(names = "--point-classes", paramLabel = "N", defaultValue = "2000000",
      converter = OptionTypes.Min1.class, description = "kernel: points x classes per block")
  int pointClasses;

  @Option(names = "--sizes", paramLabel = "N,N,...", defaultValue = "50000,100000,200000",
      description = "end-to-end: numbers of rows")
  String sizes;

  @Option(names = "--dim", paramLabel = "D", defaultValue = "2048", converter = OptionTypes.Min1.class,
      description = "end-to-end: dimension")
  int dim;

  @Option(names = "--k", paramLabel = "K", defaultValue = "10", converter = OptionTypes.Min2.class,
      description = "end-to-end: clusters (and blobs)")
  int k;

  @Option(names = "--methods", paramLabel = "M,M,...",
      defaultValue = "${bundle:list.e2e-methods-joined}",
      description = "end-to-end: methods, among ${bundle:list.e2e-methods}")
  String methods;

  @Option(names = "--epochs", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "end-to-end: CCE epochs")
  @ShowDefault("estimator default")
  Integer epochs;

  @Option(names = "--fulldata-em-max-iter", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "end-to-end: emMaxIter of the fulldata schedule (one Spark job per EM"
          + " iteration)")
  @ShowDefault("estimator default")
  Integer fulldataEmMaxIter;

  @Option(names = "--partitions", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "end-to-end: partitions of the cached data")
  @ShowDefault("Spark's default parallelism")
  Integer partitions;

  @Option(names = "--fits", paramLabel = "N", defaultValue = "1", converter = OptionTypes.Min1.class,
      description = "end-to-end and scale-out: timed fits per method and size or Worker count")
  int fits;

  @Option(names = "--warmup-rows", paramLabel = "N", defaultValue = "2000",
      converter = OptionTypes.Min0.class, description = "end-to-end and scale-out: rows of the untimed"
          + " warm-up fits (0: none)")
  int warmupRows;

  @Option(names = "--scale-out-rows", paramLabel = "N", defaultValue = "40000",
      converter = OptionTypes.Min1.class, description = "scale-out: number of rows (with --dim, --k,"
          + " --methods, --epochs, --fulldata-em-max-iter)")
  int scaleOutRows;

  @Option(names = "--workers", paramLabel = "W,W,...", defaultValue = "1,2",
      description = "scale-out: Worker counts (1 core each)")
  String workers;

  @Option(names = "--executor-memory", paramLabel = "M", defaultValue = "4g",
      description = "scale-out: memory of each Worker and its executor")
  String executorMemory;

  @Option(names = "--scale-out-partitions", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "scale-out: partitions of the cached data, the same at every Worker count")
  @ShowDefault("the largest Worker count")
  Integer scaleOutPartitions;

  @Option(names = "--features-model", paramLabel = "NAME|FILE",
      defaultValue = ModelSpec.RANDOM_RESNET50, description = "features: model (see extract"
          + " --model)")
  String featuresModel;

  @Option(names = "--deep-dataset", paramLabel = "PATH|NAME", defaultValue = "mnist10k",
      description = "deep: training images")
  String deepDataset;

  @Option(names = "--deep-images", paramLabel = "N", defaultValue = "10000",
      converter = OptionTypes.Min0.class, description = "deep: images (a seeded sample; 0: all)")
  int deepImages;

  @Option(names = "--deep-epochs", paramLabel = "N", defaultValue = "1",
      converter = OptionTypes.Min1.class, description = "deep: epochs timed")
  int deepEpochs;

  @Option(names = "--deep-batch", paramLabel = "N", defaultValue = "250",
      converter = OptionTypes.Min1.class, description = "deep: images per step")
  int deepBatch;

  @Option(names = "--deep-augmentation-weight", paramLabel = "W", defaultValue = "0.5",
      converter = OptionTypes.NonNegative.class,
      description = "deep: self-augmentation weight (0: no augmented pass)")
  double deepAugmentationWeight;

  @Option(names = "--features-sizes", paramLabel = "N,N,...", defaultValue = "96,224",
      description = "features: input sizes")
  String featuresSizes;

  @Option(names = "--features-batch", paramLabel = "N", defaultValue = "32",
      converter = OptionTypes.Min1.class, description = "features: images per batch")
  int featuresBatch;

  @Option(names = "--features-batches", paramLabel = "N", defaultValue = "2",
      converter = OptionTypes.Min1.class, description = "features: timed batches per variant and size"
          + " (after one warm-up batch)")
  int featuresBatches;

  @Option(names = "--features-variants", paramLabel = "V,V,...",
      defaultValue = "${bundle:list.variants-joined}", description = "features: among"
          + " ${bundle:list.variants}; one per process gives clean peak memory")
  String featuresVariants;

  @Option(names = "--overwrite", description = "replace an existing --output DIR")
  boolean overwrite;

  @Spec
  CommandSpec spec;

  @Override
  public void run(PrintStream out) {
    long t0 = System.nanoTime();
    List<String> only = new ArrayList<>();
    for (String s : list("--only", this.only)) {
      String name = s.toLowerCase(Locale.ROOT);
      if (!BENCHMARKS.contains(name) && !OPT_IN.contains(name)) {
        throw new UsageException("--only must name benchmarks among " + String.join(", ",
            BENCHMARKS) + ", " + String.join(", ", OPT_IN) + ", got '" + s + "'");
      }
      if (!only.contains(name)) {
        only.add(name);
      }
    }
    EmVsPgdBenchmark.Config emPgd = new EmVsPgdBenchmark.Config(ints("--em-pgd-k", emPgdK, 2),
        block, lambda, tol, emMaxIter, pgdMaxIter, logitScale, seed, warmup, reps, budget);
    KernelBenchmark.Config kernel = new KernelBenchmark.Config(ints("--kernel-k", kernelK, 2),
        pointClasses, lambda, logitScale, seed, warmup, reps);
    List<String> methods = choices("--methods", this.methods, EndToEndBenchmark.METHODS,
        "methods");
    long[] sizes = Arrays.stream(ints("--sizes", this.sizes, 1)).asLongStream().toArray();
    for (long n : sizes) {
      if (n < k) {
        throw new UsageException("--sizes: every size must be at least --k (" + k + "), got " + n);
      }
    }
    if (warmupRows > 0 && warmupRows < k) {
      throw new UsageException("--warmup-rows must be 0 or at least --k (" + k + ")");
    }
    if (scaleOutRows < k) {
      throw new UsageException("--scale-out-rows must be at least " + k + ", got "
          + scaleOutRows);
    }
    int[] workers = ints("--workers", this.workers, 1);
    String executorMemory = this.executorMemory.trim();
    if (!executorMemory.matches("[1-9][0-9]*[mMgG]")) {
      throw new UsageException("--executor-memory must look like 512m or 4g, got '"
          + executorMemory + "'");
    }
    ScaleOutBenchmark.Config scaleOut = only.contains("scale-out")
        ? new ScaleOutBenchmark.Config(scaleOutRows, dim, k, methods, workers, executorMemory,
            epochs, fulldataEmMaxIter, scaleOutPartitions != null ? scaleOutPartitions
                : Arrays.stream(workers).max().getAsInt(), seed, fits, warmupRows,
            ScaleOutBenchmark.projectRoot())
        : null;
    List<String> variants = choices("--features-variants", featuresVariants,
        FeaturesBenchmark.VARIANTS, "variants");
    FeaturesBenchmark.Config features = new FeaturesBenchmark.Config(featuresModel,
        ints("--features-sizes", featuresSizes, 1), featuresBatch, featuresBatches, variants,
        seed);
    DeepEpochBenchmark.Config deep = new DeepEpochBenchmark.Config(deepDataset, deepImages,
        deepEpochs, deepBatch, deepAugmentationWeight, seed);

    boolean replace = overwrite || !Cli.given(spec, "--output");
    SparkSession spark = only.contains("end-to-end") ? Main.session() : null;
    Configuration conf = spark != null ? spark.sparkContext().hadoopConfiguration()
        : new Configuration();
    SparkInfo sparkInfo = spark != null ? SparkInfo.of(spark) : null;
    try (OutputDir dir = OutputDir.open(conf, output, replace,
        OutputDir.Other.input("--features-model",
            Cli.given(spec, "--features-model") ? featuresModel : null),
        OutputDir.Other.input("--deep-dataset",
            Cli.given(spec, "--deep-dataset") ? deepDataset : null))) {
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
              methods, epochs, fulldataEmMaxIter, partitions != null ? partitions
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

  /** The comma-separated values of an option, each among {@code allowed}, lower-cased. */
  private static List<String> choices(String name, String value, List<String> allowed,
      String what) {
    List<String> out = new ArrayList<>();
    for (String s : list(name, value)) {
      String v = s.toLowerCase(Locale.ROOT);
      if (!allowed.contains(v)) {
        throw new UsageException(name + " must name " + what + " among " + String.join(", ",
            allowed) + ", got '" + s + "'");
      }
      out.add(v);
    }
    return out;
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

  private static List<String> list(String name, String value) {
    List<String> out = new ArrayList<>();
    for (String s : value.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    if (out.isEmpty()) {
      throw new UsageException(name + " needs at least one value");
    }
    return out;
  }

  private static int[] ints(String name, String value, int min) {
    List<String> items = list(name, value);
    int[] out = new int[items.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Integer.parseInt(items.get(i));
      } catch (NumberFormatException e) {
        throw new UsageException(name + " expects integers separated by commas, got '"
            + value + "'");
      }
      if (out[i] < min) {
        throw new UsageException(name + ": every value must be at least " + min + ", got "
            + out[i]);
      }
    }
    return out;
  }


}
