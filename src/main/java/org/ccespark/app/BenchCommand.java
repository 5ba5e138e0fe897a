package org.ccespark.app;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.ccespark.output.OutputDir;

/**
 * {@code bench}: the performance benchmarks of {@link org.ccespark.bench} (EM vs PGD, EM kernel
 * throughput, end to end vs MLlib K-means, scaling out over standalone Workers); prints a table per
 * benchmark and writes {@code bench.json} and {@code tables.txt}. The launcher's Spark session is
 * started only for {@code end-to-end}; {@code scale-out} makes its own per cluster.
 */
@Command(name = "bench",
    customSynopsis = "[--only NAME[,NAME...]] [--sizes N,N,...] [--dim D] [--k K] [--output DIR]"
        + " [options]",
    header = "performance benchmarks: EM vs PGD, EM kernel, end to end vs K-means, scale-out",
    description = "Runs the benchmarks and prints a table for each: em-vs-pgd (the paper's Table 1: one block"
          + " of pseudo-labels solved by projected gradient descent on eq. 10 at several step"
          + " sizes and by EM on eq. 11, plain and SQUAREM-accelerated, same tolerance, single"
          + " thread, and the exact solver; then EM, SQUAREM, PGD on eq. 11 and the exact solver"
          + " timed to L_CCE+ within 1e-9 of the optimum, certified by the exact solver's duality"
          + " gap, with the exact solver's passes and speed-up over SQUAREM), kernel (point.classes per second of one EM iteration, single thread, with"
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

  @Mixin
  BenchOptions.EmVsPgd emVsPgd;

  @Option(names = "--logit-scale", paramLabel = "X", defaultValue = "3",
      converter = OptionTypes.NonNegative.class,
      description = "em-vs-pgd and kernel: sigma = softmax(X z), z ~ N(0,1)")
  double logitScale;

  @Mixin
  BenchOptions.Kernel kernel;

  @Mixin
  BenchOptions.EndToEnd endToEnd;

  @Option(names = "--features-model", paramLabel = "NAME|FILE",
      defaultValue = ModelSpec.RANDOM_RESNET50, description = "features: model (see extract"
          + " --model)")
  String featuresModel;

  @Mixin
  BenchOptions.Deep deep;

  @Mixin
  BenchOptions.Features features;

  @Option(names = "--overwrite", description = "replace an existing --output DIR")
  boolean overwrite;

  @Spec
  CommandSpec spec;

  @Override
  public void run(PrintStream out) {
    long t0 = System.nanoTime();
    List<String> only = new ArrayList<>();
    for (String s : BenchOptions.list("--only", this.only)) {
      String name = s.toLowerCase(Locale.ROOT);
      if (!BENCHMARKS.contains(name) && !OPT_IN.contains(name)) {
        throw new UsageException("--only must name benchmarks among " + String.join(", ",
            BENCHMARKS) + ", " + String.join(", ", OPT_IN) + ", got '" + s + "'");
      }
      if (!only.contains(name)) {
        only.add(name);
      }
    }
    EmVsPgdBenchmark.Config emPgd = emVsPgd.config(lambda, logitScale, seed, warmup, reps);
    KernelBenchmark.Config kernelConfig = kernel.config(lambda, logitScale, seed, warmup, reps);
    endToEnd.check();
    ScaleOutBenchmark.Config scaleOut = only.contains("scale-out") ? endToEnd.scaleOut(seed)
        : null;
    FeaturesBenchmark.Config featuresConfig = features.config(featuresModel, seed);
    DeepEpochBenchmark.Config deepConfig = deep.config(seed);

    boolean replace = overwrite || !Cli.given(spec, "--output");
    SparkSession spark = only.contains("end-to-end") ? Main.session() : null;
    Configuration conf = spark != null ? spark.sparkContext().hadoopConfiguration()
        : new Configuration();
    SparkInfo sparkInfo = spark != null ? SparkInfo.of(spark) : null;
    try (OutputDir dir = OutputDir.open(conf, output, replace,
        OutputDir.Other.input("--features-model",
            Cli.given(spec, "--features-model") ? featuresModel : null),
        OutputDir.Other.input("--deep-dataset",
            Cli.given(spec, "--deep-dataset") ? deep.dataset : null))) {
      Map<String, Object> benchmarks = new LinkedHashMap<>();
      StringBuilder tables = new StringBuilder();
      for (String name : only) {
        out.printf("running %s ...%n", name);
        BenchResult<?> r = switch (name) {
          case "em-vs-pgd" -> EmVsPgdBenchmark.run(emPgd);
          case "kernel" -> KernelBenchmark.run(kernelConfig);
          case "scale-out" -> ScaleOutBenchmark.run(scaleOut, out::println);
          case "features" -> FeaturesBenchmark.run(featuresConfig, out::println);
          case "deep" -> DeepEpochBenchmark.run(deepConfig, out::println);
          default -> EndToEndBenchmark.run(spark, endToEnd.endToEnd(
              spark.sparkContext().defaultParallelism(), seed), out::println);
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
}
