package org.ccespark.bench;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.ccespark.data.images.Image;
import org.ccespark.features.FeatureExtractor;
import org.ccespark.features.ModelSpec;
import org.ccespark.features.Preprocessing;

/**
 * Image feature extraction on the CPU: images per second and peak resident memory of cce-spark's
 * path ({@link Preprocessing} then {@link FeatureExtractor#extract}, native memory released per
 * batch) against DJL's bare {@link Predictor} ({@link NoopTranslator}) on the same model and the
 * same preprocessed batches, per input size.
 *
 * <p>The images are seeded random RGB bytes of {@code size × size}; cce-spark's timing includes
 * their preprocessing (resize to {@code round(size·232/224)}, crop, normalise), the Predictor's
 * does not (it is fed the preprocessed batch). One untimed warm-up batch precedes each timed run.
 * Peak resident memory is the kernel's high-water mark ({@code VmHWM}), reset before each run
 * through {@code /proc/self/clear_refs}; the JVM, Spark (if started) and anything an earlier run
 * left resident count too, so run one variant per process ({@code --features-variants}) for
 * clean peaks.
 */
public final class FeaturesBenchmark {
  private FeaturesBenchmark() {}

  /** The variants, in run order. */
  public static final List<String> VARIANTS = List.of("cce-spark", "djl-predictor");

  /**
   * Settings.
   *
   * @param model model name or TorchScript file (see {@link ModelSpec})
   * @param sizes input sizes
   * @param batchSize images per batch
   * @param batches timed batches per variant and size
   * @param variants among {@link #VARIANTS}
   * @param seed seed of the images and of the random model
   */
  public record Config(String model, int[] sizes, int batchSize, int batches,
      List<String> variants, long seed) {}

  /**
   * What {@code bench.json} holds for this benchmark.
   *
   * @param settings the settings
   * @param results per image size and variant
   */
  public record Report(Settings settings, List<Result> results) {}

  /** {@link Config} as written. */
  public record Settings(String model, int[] sizes, int batchSize, int batches,
      List<String> variants, long seed, String device) {}

  /** One variant's throughput and memory at one image size. */
  public record Result(int size, String variant, double imagesPerSecond, double seconds,
      int images, int dimension, long rssBeforeBytes, long rssPeakBytes) {}

  /** Runs the benchmark. */
  public static BenchResult<Report> run(Config cfg, Consumer<String> progress) {
    List<Result> results = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("Image features on the CPU: model %s, batch %d, %d timed batches"
        + " after 1 warm-up batch%n", cfg.model(), cfg.batchSize(), cfg.batches()));
    sb.append(String.format("%6s  %-14s  %10s  %8s  %12s  %12s%n", "size", "variant",
        "images/s", "dim", "RSS before", "RSS peak"));
    for (int size : cfg.sizes()) {
      ModelSpec spec = new ModelSpec(cfg.model(), ModelSpec.DEFAULT_LAYER,
          Preprocessing.of(size), "cpu", cfg.seed());
      Preprocessing p = spec.preprocessing();
      List<Image> images = new ArrayList<>();
      Random random = new Random(cfg.seed() + size);
      for (int i = 0; i < (cfg.batches() + 1) * cfg.batchSize(); i++) {
        byte[] px = new byte[size * size * 3];
        random.nextBytes(px);
        images.add(new Image(size, size, 3, px));
      }
      progress.accept(String.format("features: loading %s at %dx%d", cfg.model(), size, size));
      Map<String, Double> rates = new LinkedHashMap<>();
      try (FeatureExtractor fx = FeatureExtractor.load(spec)) {
        float[] buffer = new float[cfg.batchSize() * p.floatsPerImage()];
        for (String variant : cfg.variants()) {
          progress.accept(String.format("features: %s at %dx%d", variant, size, size));
          Run run = variant.equals("cce-spark") ? runOurs(fx, images, buffer, cfg)
              : runPredictor(fx, images, buffer, cfg);
          double rate = cfg.batches() * cfg.batchSize() / run.seconds;
          rates.put(variant, rate);
          results.add(new Result(size, variant, rate, run.seconds, cfg.batches() * cfg.batchSize(),
              run.dimension, run.rssBefore, run.rssPeak));
          sb.append(String.format("%6d  %-14s  %10.2f  %8d  %12s  %12s%n", size, variant, rate,
              run.dimension, gb(run.rssBefore), gb(run.rssPeak)));
        }
      }
      if (rates.size() == 2) {
        sb.append(String.format("  %dx%d: cce-spark / djl-predictor images/s = %.3f%n", size, size,
            rates.get("cce-spark") / rates.get("djl-predictor")));
      }
    }
    Settings settings = new Settings(cfg.model(), cfg.sizes(), cfg.batchSize(), cfg.batches(),
        cfg.variants(), cfg.seed(), "cpu");
    return new BenchResult<>("features", sb.toString(), new Report(settings, results));
  }

  private record Run(double seconds, int dimension, long rssBefore, long rssPeak) {}

  private static Run runOurs(FeatureExtractor fx, List<Image> images, float[] buffer,
      Config cfg) {
    int b = cfg.batchSize();
    Preprocessing p = fx.spec().preprocessing();
    int dim = 0;
    double seconds = 0;
    long rssBefore = 0;
    for (int k = 0; k <= cfg.batches(); k++) {
      if (k == 1) {
        resetPeak();
        rssBefore = rss("VmRSS");
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < b; i++) {
        p.apply(images.get(k * b + i), buffer, i * p.floatsPerImage());
      }
      dim = fx.extract(buffer, b)[0].length;
      if (k > 0) {
        seconds += (System.nanoTime() - t0) / 1e9;
      }
    }
    return new Run(seconds, dim, rssBefore, rss("VmHWM"));
  }

  private static Run runPredictor(FeatureExtractor fx, List<Image> images, float[] buffer,
      Config cfg) {
    int b = cfg.batchSize();
    Preprocessing p = fx.spec().preprocessing();
    int s = p.inputSize();
    Shape shape = new Shape(b, 3, s, s);
    try (Predictor<NDList, NDList> predictor = fx.model().newPredictor(new NoopTranslator())) {
      int dim = 0;
      double seconds = 0;
      long rssBefore = 0;
      for (int k = 0; k <= cfg.batches(); k++) {
        for (int i = 0; i < b; i++) {
          p.apply(images.get(k * b + i), buffer, i * p.floatsPerImage());
        }
        if (k == 1) {
          resetPeak();
          rssBefore = rss("VmRSS");
        }
        long t0 = System.nanoTime();
        try (NDManager m = fx.model().getNDManager().newSubManager()) {
          NDList out = predictor.predict(new NDList(m.create(FloatBuffer.wrap(buffer), shape)));
          dim = (int) (out.get(0).size() / b);
          out.get(0).toFloatArray();
        }
        if (k > 0) {
          seconds += (System.nanoTime() - t0) / 1e9;
        }
      }
      return new Run(seconds, dim, rssBefore, rss("VmHWM"));
    } catch (TranslateException e) {
      throw new IllegalStateException("DJL's Predictor failed: " + e.getMessage(), e);
    }
  }

  /** Resets the kernel's resident high-water mark of this process to the current RSS. */
  static void resetPeak() {
    try {
      Files.writeString(Paths.get("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not allowed: the peak then covers the whole process lifetime.
    }
  }

  /** A field of /proc/self/status in bytes ({@code VmRSS}, {@code VmHWM}), or -1. */
  static long rss(String field) {
    Path status = Paths.get("/proc/self/status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field + ":")) {
          String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static String gb(long bytes) {
    return bytes < 0 ? "n/a" : String.format("%.2f GB", bytes / 1e9);
  }
}
