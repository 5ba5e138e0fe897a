package org.ccespark.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.LabeledImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@link ImageDataset} into the pixel-feature Dataset that {@code cluster} and the
 * estimator consume, as {@link FeatureInput} does for feature files: {@code row} (long, 0-based
 * position in the selection), {@code label} (int, nullable: null for an image without a label;
 * the column is left out when no selected image has one) and {@code features} (dense vector of the
 * image's samples in HWC order divided by 255, so in [0,1]), optionally followed by {@code id}
 * (string, the image's id in the dataset).
 *
 * <p>The images are read on the driver (in selection order) and broadcast as bytes; each partition
 * builds the vectors of a contiguous range of rows, so partition order is row order. Every selected
 * image must have the same height, width and channels.
 */
public final class ImageFrames {
  /** Name of the optional image id column. */
  public static final String ID_COL = "id";

  private static final Logger LOG = LoggerFactory.getLogger(ImageFrames.class);
  private static final int PROGRESS_EVERY = 10_000;

  private ImageFrames() {}

  /**
   * Which images of a dataset to take: all, the first {@code limit}, or a seeded random sample of
   * {@code limit} kept in dataset order.
   *
   * @param limit how many images at most; 0 or more than the size means all
   * @param seed null for the first {@code limit}; otherwise the seed of the sample
   */
  public record Selection(int limit, Long seed) {
    /** Every image, in dataset order. */
    public static final Selection ALL = new Selection(0, null);

    /**
     * Checks the limit.
     *
     * @param limit how many images, 0 for all
     * @param seed the sample's seed or null
     * @throws IllegalArgumentException if the limit is negative
     */
    public Selection {
      if (limit < 0) {
        throw new IllegalArgumentException("The image limit must be 0 (all) or more, got "
            + limit + ".");
      }
    }

    /**
     * The selected dataset indices, increasing.
     *
     * @param size the dataset's size
     * @return the indices
     */
    public int[] indices(int size) {
      int n = limit == 0 || limit >= size ? size : limit;
      int[] all = new int[size];
      for (int i = 0; i < size; i++) {
        all[i] = i;
      }
      if (seed == null || n == size) {
        return Arrays.copyOf(all, n);
      }
      // The first n steps of a Fisher-Yates shuffle pick a uniform n-subset.
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int i = 0; i < n; i++) {
        int j = i + rnd.nextInt(size - i);
        int t = all[i];
        all[i] = all[j];
        all[j] = t;
      }
      int[] picked = Arrays.copyOf(all, n);
      Arrays.sort(picked);
      return picked;
    }
  }

  /**
   * Reads the selected images into a Dataset.
   *
   * @param spark the session
   * @param dataset the images
   * @param selection which images
   * @param numPartitions the number of partitions (at least 1)
   * @param withIds whether to add the {@value #ID_COL} column
   * @return the Dataset with its row count and dimension; its {@code path} is the dataset's name
   *     and its {@code format} {@code "images"}
   * @throws IllegalArgumentException if the selection is empty or the images differ in size
   */
  public static LoadedInput load(SparkSession spark, ImageDataset dataset, Selection selection,
      int numPartitions, boolean withIds) {
    if (numPartitions < 1) {
      throw new IllegalArgumentException("numPartitions must be at least 1, got " + numPartitions);
    }
    int[] indices = selection.indices(dataset.size());
    if (indices.length == 0) {
      throw new IllegalArgumentException("Dataset " + dataset.name() + " has no images.");
    }
    List<Item> items = new ArrayList<>(indices.length);
    Image first = null;
    String firstId = null;
    boolean anyLabel = false;
    for (int r = 0; r < indices.length; r++) {
      LabeledImage im = dataset.get(indices[r]);
      Image image = im.image();
      if (first == null) {
        first = image;
        firstId = im.id();
      } else if (image.height() != first.height() || image.width() != first.width()
          || image.channels() != first.channels()) {
        throw new IllegalArgumentException("Image " + im.id() + " of " + dataset.name() + " is "
            + shape(image) + " but image " + firstId + " is " + shape(first) + "; pixel features"
            + " need images of one size.");
      }
      anyLabel |= im.hasLabel();
      items.add(new Item(r, im.label(), im.id(), image.pixels()));
      if ((r + 1) % PROGRESS_EVERY == 0) {
        LOG.info("read {} of {} images of {}", r + 1, indices.length, dataset.name());
      }
    }
    int numFeatures = first.size();
    StructType schema = new StructType().add(FeatureInput.ROW_COL, DataTypes.LongType, false);
    if (anyLabel) {
      schema = schema.add(FeatureInput.LABEL_COL, DataTypes.IntegerType, true);
    }
    schema = schema.add(FeatureInput.DEFAULT_FEATURES_COL, SQLDataTypes.VectorType(), false,
        new AttributeGroup(FeatureInput.DEFAULT_FEATURES_COL, numFeatures).toMetadata());
    if (withIds) {
      schema = schema.add(ID_COL, DataTypes.StringType, false);
    }
    // The images travel as one broadcast (not inside the tasks, which would make them large);
    // partition p builds the rows of its contiguous range [p*n/P, (p+1)*n/P).
    boolean label = anyLabel;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Item[]> shipped = jsc.broadcast(items.toArray(new Item[0]));
    int n = items.size();
    List<long[]> ranges = new ArrayList<>(numPartitions);
    for (int p = 0; p < numPartitions; p++) {
      ranges.add(new long[] {(long) p * n / numPartitions, (long) (p + 1) * n / numPartitions});
    }
    JavaRDD<Row> rdd = jsc.parallelize(ranges, numPartitions)
        .flatMap(range -> {
          Item[] all = shipped.value();
          return java.util.stream.LongStream.range(range[0], range[1])
              .mapToObj(r -> all[(int) r].toRow(label, withIds)).iterator();
        });
    Dataset<Row> data = spark.createDataFrame(rdd, schema);
    return new LoadedInput(data, dataset.name(), "images", FeatureInput.DEFAULT_FEATURES_COL,
        anyLabel ? FeatureInput.LABEL_COL : null, numFeatures, indices.length, List.of());
  }

  private static String shape(Image im) {
    return im.height() + " x " + im.width() + " x " + im.channels();
  }

  /**
   * One image as shipped to the tasks (in a broadcast): a plain final class rather than a record,
   * because Kryo 4 (Spark's) cannot serialize records.
   */
  static final class Item implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long row;
    private final int label;
    private final String id;
    private final byte[] pixels;

    Item(long row, int label, String id, byte[] pixels) {
      this.row = row;
      this.label = label;
      this.id = id;
      this.pixels = pixels;
    }

    Row toRow(boolean withLabel, boolean withId) {
      double[] x = new double[pixels.length];
      for (int p = 0; p < x.length; p++) {
        x[p] = (pixels[p] & 0xff) / 255.0;
      }
      List<Object> values = new ArrayList<>(4);
      values.add(row);
      if (withLabel) {
        values.add(label == LabeledImage.UNKNOWN ? null : label);
      }
      values.add(Vectors.dense(x));
      if (withId) {
        values.add(id);
      }
      return RowFactory.create(values.toArray());
    }
  }
}
