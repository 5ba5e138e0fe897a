package org.ccespark.features;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.ccespark.data.ImageInputs;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.ImageDatasets;
import org.ccespark.data.images.LabeledImage;

/**
 * Extracts the features of every image of an image dataset ({@link ImageDatasets}: IDX, CIFAR,
 * STL-10, a folder of JPEG/PNG files; or image files on any Hadoop file system, given by URI or
 * glob, see {@link ImageInputs}) into a Dataset of {@code id} (string), {@code label} (int,
 * only when the dataset has class names or its first image has a label; null for an image without
 * one) and {@code features} (ML vector), in the dataset's order.
 *
 * <p>Two modes give identical rows:
 *
 * <ul>
 *   <li>{@code driver}: the model runs in this JVM (the path for a GPU on the driver), batch after
 *       batch; the rows are kept in memory (N × D × 8 bytes) until written.
 *   <li>{@code executors}: the images are split into index ranges, one per partition, each a
 *       multiple of the batch size; each task opens the dataset itself (its path must be readable
 *       by every executor), loads one extractor when its first batch arrives, and closes both when
 *       the partition ends. Lazy: the work happens when the Dataset is written.
 * </ul>
 *
 * <p>Batches cover fixed index ranges ({@code [b·B, (b+1)·B)}) in both modes, so a skipped image
 * does not shift the others into different batches.
 */
public final class ImageFeatures {
  /** Output column names. */
  public static final String ID_COL = "id";
  public static final String LABEL_COL = "label";
  public static final String FEATURES_COL = "features";
  /** Accepted modes. */
  public static final List<String> MODES = List.of("driver", "executors");
  /** How many ids of skipped images are reported at most. */
  static final int MAX_REPORTED = 10;

  private ImageFeatures() {}

  /**
   * How to run.
   *
   * @param mode {@code driver} or {@code executors}
   * @param batchSize images per forward pass, at least 1
   * @param partitions executors mode: number of index ranges (0: Spark's default parallelism);
   *     never more than the number of batches
   * @param skipUnreadable skip (and count) images that cannot be read or decoded instead of failing
   */
  public record Options(String mode, int batchSize, int partitions, boolean skipUnreadable)
      implements Serializable {
    /** Checks the values. */
    public Options {
      mode = mode == null ? "driver" : mode.toLowerCase(Locale.ROOT);
      if (!MODES.contains(mode)) {
        throw new IllegalArgumentException("Mode must be one of " + String.join(", ", MODES)
            + ", got '" + mode + "'.");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("Batch size must be at least 1, got " + batchSize + ".");
      }
      if (partitions < 0) {
        throw new IllegalArgumentException("Partitions must be at least 0, got " + partitions + ".");
      }
    }
  }

  /**
   * An extraction: the rows (lazy in executors mode) and counters that are complete once they
   * have been computed.
   */
  public static final class Extraction {
    private final Dataset<Row> rows;
    private final int size;
    private final boolean hasLabel;
    private final List<String> classNames;
    private final String pathPrefix;
    private final LongAccumulator done;
    private final LongAccumulator skipped;
    private final CollectionAccumulator<String> skippedIds;
    private final CollectionAccumulator<Integer> dimension;

    Extraction(Dataset<Row> rows, int size, boolean hasLabel, List<String> classNames,
        String pathPrefix, LongAccumulator done, LongAccumulator skipped, CollectionAccumulator<String> skippedIds,
        CollectionAccumulator<Integer> dimension) {
      this.rows = rows;
      this.size = size;
      this.hasLabel = hasLabel;
      this.classNames = classNames;
      this.pathPrefix = pathPrefix;
      this.done = done;
      this.skipped = skipped;
      this.skippedIds = skippedIds;
      this.dimension = dimension;
    }

    /** {@code id}, {@code label} (if the dataset has classes), {@code features}. */
    public Dataset<Row> rows() {
      return rows;
    }

    /** Images in the dataset. */
    public int size() {
      return size;
    }

    /** Whether the rows have a {@code label} column. */
    public boolean hasLabel() {
      return hasLabel;
    }

    /** The dataset's class names (label i is class i), possibly empty. */
    public List<String> classNames() {
      return classNames;
    }

    /**
     * The prefix that, followed by an image's id, gives its file's full path or URI ({@link
     * ImageInputs.Source#pathPrefix}); null when the images are stored in dataset files.
     */
    public String pathPrefix() {
      return pathPrefix;
    }

    /** Images processed so far (extracted or skipped). */
    public long processed() {
      return done.value();
    }

    /** Images skipped as unreadable. */
    public long skipped() {
      return skipped.value();
    }

    /** The first few skipped images, each as {@code index: reason}. */
    public List<String> skippedExamples() {
      List<String> all = new ArrayList<>(skippedIds.value());
      all.sort(null);
      return all.subList(0, Math.min(MAX_REPORTED, all.size()));
    }

    /** The feature dimension, once a batch has run (0 before). */
    public int dimension() {
      return dimension.value().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
  }

  /**
   * Prepares (executors mode) or runs (driver mode) the extraction.
   *
   * @param spark the session
   * @param path the dataset, see {@link ImageDatasets#open}, a {@link DatasetCatalog} name
   *     (opened on each executor in executors mode), or a Hadoop path (URI or glob) to image
   *     files, listed here and read by whichever JVM extracts them ({@link ImageInputs})
   * @param format the dataset format, see {@link ImageDatasets#open}
   * @param spec the model
   * @param options mode, batch size, partitions, skipping
   * @param progress receives progress lines (driver mode)
   */
  public static Extraction extract(SparkSession spark, String path, String format, ModelSpec spec,
      Options options, Consumer<String> progress) {
    return extract(spark, ImageInputs.source(spark, path, format), path, spec, options, progress);
  }

  /**
   * Prepares (executors mode) or runs (driver mode) the extraction of an opened input.
   *
   * @param spark the session
   * @param source the images ({@link ImageInputs#source}); in executors mode it travels with the
   *     tasks, which open it themselves
   * @param path the input as given, for messages
   * @param spec the model
   * @param options mode, batch size, partitions, skipping
   * @param progress receives progress lines (driver mode)
   */
  public static Extraction extract(SparkSession spark, ImageInputs.Source source, String path,
      ModelSpec spec, Options options, Consumer<String> progress) {
    int size;
    List<String> classNames;
    boolean hasLabel;
    try (ImageDataset dataset = source.open()) {
      size = dataset.size();
      classNames = List.copyOf(dataset.classNames());
      if (size == 0) {
        throw new IllegalArgumentException("Image dataset '" + path + "' holds no images.");
      }
      hasLabel = !classNames.isEmpty() || knownLabel(dataset);
    }
    StructType schema = schema(hasLabel);
    LongAccumulator done = spark.sparkContext().longAccumulator("images processed");
    LongAccumulator skipped = spark.sparkContext().longAccumulator("images skipped");
    CollectionAccumulator<String> skippedIds =
        spark.sparkContext().collectionAccumulator("skipped images");
    CollectionAccumulator<Integer> dimension =
        spark.sparkContext().collectionAccumulator("feature dimension");
    Counters counters = new Counters(done, skipped, skippedIds, dimension);
    long batches = (size + (long) options.batchSize() - 1) / options.batchSize();

    Dataset<Row> rows;
    if (options.mode().equals("driver")) {
      List<Row> out = new ArrayList<>(size);
      Progress meter = new Progress(size, progress);
      try (ImageDataset dataset = source.open();
          FeatureExtractor extractor = FeatureExtractor.load(spec)) {
        progress.accept(String.format("extracting %,d images on the driver (%s, batch %d)", size,
            extractor.device(), options.batchSize()));
        Iterator<Row> it = new RangeIterator(dataset, () -> extractor, 0, size, path, spec,
            options, hasLabel, counters);
        while (it.hasNext()) {
          out.add(it.next());
          meter.update(done.value());
        }
      }
      meter.finish(done.value());
      rows = spark.createDataFrame(out, schema);
    } else {
      int parts = options.partitions() > 0 ? options.partitions()
          : spark.sparkContext().defaultParallelism();
      parts = (int) Math.max(1, Math.min(parts, batches));
      List<long[]> ranges = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        long first = batches * p / parts * options.batchSize();
        long end = Math.min(size, batches * (p + 1) / parts * options.batchSize());
        ranges.add(new long[] {first, end});
      }
      JavaRDD<long[]> tasks = JavaSparkContext.fromSparkContext(spark.sparkContext())
          .parallelize(ranges, parts);
      JavaRDD<Row> extracted = tasks.mapPartitions(it -> {
        if (!it.hasNext()) {
          return java.util.Collections.emptyIterator();
        }
        long[] range = it.next();
        return partition(source, path, spec, options, hasLabel, counters, (int) range[0],
            (int) range[1]);
      });
      rows = spark.createDataFrame(extracted, schema);
    }
    return new Extraction(rows, size, hasLabel, classNames, source.pathPrefix(), done, skipped,
        skippedIds, dimension);
  }

  /** Whether image 0 has a label (datasets without class names, such as IDX with labels). */
  private static boolean knownLabel(ImageDataset dataset) {
    try {
      return dataset.get(0).label() >= 0;
    } catch (RuntimeException e) {
      return false; // an unreadable image 0 is reported by the extraction itself
    }
  }

  /** The output schema. */
  public static StructType schema(boolean hasLabel) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(ID_COL, DataTypes.StringType, false));
    if (hasLabel) {
      fields.add(DataTypes.createStructField(LABEL_COL, DataTypes.IntegerType, true));
    }
    fields.add(DataTypes.createStructField(FEATURES_COL, SQLDataTypes.VectorType(), false));
    return DataTypes.createStructType(fields);
  }

  /** One executor task: its own dataset handle and extractor, both closed at the partition's end. */
  private static Iterator<Row> partition(ImageInputs.Source source, String path, ModelSpec spec,
      Options options, boolean hasLabel, Counters counters, int first, int end) {
    ImageDataset dataset = source.open();
    FeatureExtractor[] extractor = new FeatureExtractor[1];
    Runnable closeAll = () -> {
      if (extractor[0] != null) {
        extractor[0].close();
        extractor[0] = null;
      }
      dataset.close();
    };
    TaskContext ctx = TaskContext.get();
    if (ctx != null) {
      ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> closeAll.run());
    }
    Iterator<Row> rows = new RangeIterator(dataset, () -> {
      if (extractor[0] == null) {
        extractor[0] = FeatureExtractor.load(spec);
      }
      return extractor[0];
    }, first, end, path, spec, options, hasLabel, counters);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = rows.hasNext();
        if (!more) {
          closeAll.run();
        }
        return more;
      }

      @Override
      public Row next() {
        return rows.next();
      }
    };
  }

  /** The accumulators the tasks update. */
  private record Counters(LongAccumulator done, LongAccumulator skipped,
      CollectionAccumulator<String> skippedIds, CollectionAccumulator<Integer> dimension)
      implements Serializable {}

  /** Supplies the extractor when the first batch needs it. */
  @FunctionalInterface
  private interface ExtractorSupplier {
    FeatureExtractor get();
  }

  /** The rows of images {@code [first, end)}, one batch at a time. */
  private static final class RangeIterator implements Iterator<Row> {
    private final ImageDataset dataset;
    private final ExtractorSupplier extractor;
    private final int end;
    private final String path;
    private final Preprocessing preprocessing;
    private final Options options;
    private final boolean hasLabel;
    private final Counters counters;
    private final float[] input;
    private final List<Row> pending = new ArrayList<>();
    private int nextBatchStart;
    private int position;
    private boolean dimensionReported;

    RangeIterator(ImageDataset dataset, ExtractorSupplier extractor, int first, int end,
        String path, ModelSpec spec, Options options, boolean hasLabel, Counters counters) {
      this.dataset = dataset;
      this.extractor = extractor;
      this.end = end;
      this.path = path;
      this.preprocessing = spec.preprocessing();
      this.options = options;
      this.hasLabel = hasLabel;
      this.counters = counters;
      this.input = new float[Math.min(options.batchSize(), Math.max(1, end - first))
          * preprocessing.floatsPerImage()];
      this.nextBatchStart = first;
    }

    @Override
    public boolean hasNext() {
      while (position >= pending.size() && nextBatchStart < end) {
        runBatch();
      }
      return position < pending.size();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.get(position++);
    }

    private void runBatch() {
      pending.clear();
      position = 0;
      int start = nextBatchStart;
      int stop = Math.min(end, start - start % options.batchSize() + options.batchSize());
      nextBatchStart = stop;
      List<LabeledImage> images = new ArrayList<>(stop - start);
      int floats = preprocessing.floatsPerImage();
      for (int index = start; index < stop; index++) {
        LabeledImage image;
        try {
          image = dataset.get(index);
          preprocessing.apply(image.image(), input, images.size() * floats);
        } catch (RuntimeException e) {
          if (!options.skipUnreadable()) {
            throw new IllegalArgumentException("Image " + index + " of '" + path
                + "' cannot be read: " + reason(e) + " (pass --skip-unreadable to skip and"
                + " count such images).", e);
          }
          counters.skipped().add(1);
          counters.skippedIds().add(String.format("%09d: %s", index, reason(e)));
          continue;
        }
        images.add(image);
      }
      if (!images.isEmpty()) {
        float[][] features = extractor.get().extract(input, images.size());
        if (!dimensionReported) {
          counters.dimension().add(features[0].length);
          dimensionReported = true;
        }
        for (int i = 0; i < images.size(); i++) {
          LabeledImage image = images.get(i);
          double[] v = new double[features[i].length];
          for (int j = 0; j < v.length; j++) {
            v[j] = features[i][j];
          }
          Object label = image.label() >= 0 ? Integer.valueOf(image.label()) : null;
          pending.add(hasLabel ? RowFactory.create(image.id(), label, Vectors.dense(v))
              : RowFactory.create(image.id(), Vectors.dense(v)));
        }
      }
      counters.done().add(stop - start);
    }
  }

  /** The message of a failure to read an image, without the wrapper's class name. */
  private static String reason(RuntimeException e) {
    return e instanceof java.io.UncheckedIOException && e.getCause() != null
        ? e.getCause().getMessage() : e.getMessage();
  }

  /** Progress lines with images per second, at most every five seconds. */
  static final class Progress {
    private final long total;
    private final Consumer<String> out;
    private final long t0 = System.nanoTime();
    private long lastPrint = System.nanoTime();

    Progress(long total, Consumer<String> out) {
      this.total = total;
      this.out = out;
    }

    void update(long done) {
      long now = System.nanoTime();
      if (now - lastPrint >= 5_000_000_000L && done < total) {
        lastPrint = now;
        out.accept(line(done, now));
      }
    }

    void finish(long done) {
      out.accept(line(done, System.nanoTime()));
    }

    private String line(long done, long now) {
      double s = (now - t0) / 1e9;
      double rate = done / Math.max(s, 1e-9);
      String eta = done > 0 && done < total ? String.format(", about %.0f s left",
          (total - done) / rate) : "";
      return String.format("  %,d / %,d images (%.1f%%), %.1f images/s, %.0f s%s", done, total,
          100.0 * done / total, rate, s, eta);
    }
  }
}
