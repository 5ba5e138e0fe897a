package org.ccespark.app;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.app.Help.ShowDefault;
import org.ccespark.bench.DeepEpochBenchmark;
import org.ccespark.bench.EmVsPgdBenchmark;
import org.ccespark.bench.EndToEndBenchmark;
import org.ccespark.bench.FeaturesBenchmark;
import org.ccespark.bench.KernelBenchmark;
import org.ccespark.bench.ScaleOutBenchmark;
import picocli.CommandLine.Option;

/**
 * The options of each benchmark of {@code bench}, as picocli mixins of {@link BenchCommand}, each
 * turned into its benchmark's configuration ({@code EmVsPgdBenchmark.Config}, ...).
 */
final class BenchOptions {
  private BenchOptions() {}

  /** The options of em-vs-pgd. */
  static final class EmVsPgd {
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
        converter = OptionTypes.Min1.class,
        description = "em-vs-pgd: cap on EM M-steps (searches for the optimum: 50 times this)")
    int emMaxIter;

    @Option(names = "--pgd-max-iter", paramLabel = "N", defaultValue = "2000",
        converter = OptionTypes.Min1.class,
        description = "em-vs-pgd: cap on PGD iterations (searches for the optimum: 50 times this)")
    int pgdMaxIter;

    @Option(names = "--budget", paramLabel = "SECONDS", defaultValue = "20",
        converter = OptionTypes.NonNegative.class, description = "em-vs-pgd: time budget of one solver's"
            + " repetitions (at least one always runs), and of its search for the optimum")
    double budget;

    EmVsPgdBenchmark.Config config(double lambda, double logitScale, long seed, int warmup,
        int reps) {
      return new EmVsPgdBenchmark.Config(ints("--em-pgd-k", emPgdK, 2), block, lambda, tol,
          emMaxIter, pgdMaxIter, logitScale, seed, warmup, reps, budget);
    }
  }

  /** The options of kernel. */
  static final class Kernel {
    @Option(names = "--kernel-k", paramLabel = "K,K,...", defaultValue = "10,100,1000",
        description = "kernel: numbers of classes")
    String kernelK;

    @Option(names = "--point-classes", paramLabel = "N", defaultValue = "2000000",
        converter = OptionTypes.Min1.class, description = "kernel: points x classes per block")
    int pointClasses;

    KernelBenchmark.Config config(double lambda, double logitScale, long seed, int warmup,
        int reps) {
      return new KernelBenchmark.Config(ints("--kernel-k", kernelK, 2), pointClasses, lambda,
          logitScale, seed, warmup, reps);
    }
  }

  /** The options of end-to-end and scale-out. */
  static final class EndToEnd {
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

    /** Checks the values against each other. */
    void check() {
      List<String> methods = methods();
      for (long n : sizes()) {
        if (n < k) {
          throw new UsageException("--sizes: every size must be at least --k (" + k + "), got "
              + n);
        }
      }
      if (warmupRows > 0 && warmupRows < k) {
        throw new UsageException("--warmup-rows must be 0 or at least --k (" + k + ")");
      }
      if (scaleOutRows < k) {
        throw new UsageException("--scale-out-rows must be at least " + k + ", got "
            + scaleOutRows);
      }
      ints("--workers", workers, 1);
      if (!executorMemory.trim().matches("[1-9][0-9]*[mMgG]")) {
        throw new UsageException("--executor-memory must look like 512m or 4g, got '"
            + executorMemory.trim() + "'");
      }
    }

    private List<String> methods() {
      return choices("--methods", methods, EndToEndBenchmark.METHODS, "methods");
    }

    private long[] sizes() {
      return Arrays.stream(ints("--sizes", sizes, 1)).asLongStream().toArray();
    }

    EndToEndBenchmark.Config endToEnd(int defaultParallelism, long seed) {
      return new EndToEndBenchmark.Config(sizes(), dim, k, methods(), epochs,
          fulldataEmMaxIter, partitions != null ? partitions : defaultParallelism, seed, fits,
          warmupRows);
    }

    ScaleOutBenchmark.Config scaleOut(long seed) {
      int[] counts = ints("--workers", workers, 1);
      return new ScaleOutBenchmark.Config(scaleOutRows, dim, k, methods(), counts,
          executorMemory.trim(), epochs, fulldataEmMaxIter, scaleOutPartitions != null
              ? scaleOutPartitions : Arrays.stream(counts).max().getAsInt(), seed, fits,
          warmupRows, ScaleOutBenchmark.projectRoot());
    }
  }

  /** The options of deep. */
  static final class Deep {
    @Option(names = "--deep-dataset", paramLabel = "PATH|NAME", defaultValue = "mnist10k",
        description = "deep: training images")
    String dataset;

    @Option(names = "--deep-images", paramLabel = "N", defaultValue = "10000",
        converter = OptionTypes.Min0.class, description = "deep: images (a seeded sample; 0: all)")
    int images;

    @Option(names = "--deep-epochs", paramLabel = "N", defaultValue = "1",
        converter = OptionTypes.Min1.class, description = "deep: epochs timed")
    int epochs;

    @Option(names = "--deep-batch", paramLabel = "N", defaultValue = "250",
        converter = OptionTypes.Min1.class, description = "deep: images per step")
    int batch;

    @Option(names = "--deep-augmentation-weight", paramLabel = "W", defaultValue = "0.5",
        converter = OptionTypes.NonNegative.class,
        description = "deep: self-augmentation weight (0: no augmented pass)")
    double augmentationWeight;

    DeepEpochBenchmark.Config config(long seed) {
      return new DeepEpochBenchmark.Config(dataset, images, epochs, batch, augmentationWeight,
          seed);
    }
  }

  /** The options of features (but --features-model, which comes before deep's in the help). */
  static final class Features {
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

    FeaturesBenchmark.Config config(String model, long seed) {
      List<String> variants = choices("--features-variants", featuresVariants,
          FeaturesBenchmark.VARIANTS, "variants");
      return new FeaturesBenchmark.Config(model, ints("--features-sizes", featuresSizes, 1),
          featuresBatch, featuresBatches, variants, seed);
    }
  }

  /** The comma-separated values of an option, each among {@code allowed}, lower-cased. */
  static List<String> choices(String name, String value, List<String> allowed,
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

  static List<String> list(String name, String value) {
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

  static int[] ints(String name, String value, int min) {
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
