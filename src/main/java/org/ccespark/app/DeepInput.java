package org.ccespark.app;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.ImageInputs;
import org.ccespark.data.LoadedInput;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.deep.DatasetImages;
import org.ccespark.deep.TrainingImages;

/**
 * The images {@code train-deep} reads ({@code --input}, {@code --held-out}), and the one place
 * that decides what kind of input a path is: an image dataset read on the driver (files or a
 * dataset name, {@link DatasetImages}), or a feature table read with Spark ({@link FeatureInput}:
 * a folder of Parquet, CSV or LibSVM part files such as {@code convert --to parquet} writes, or
 * one such file) whose vectors are pixel values in [0, 1] in height × width × channel order. A
 * table is collected to the driver partition by partition and held as floats, channel-major.
 */
final class DeepInput implements AutoCloseable {
  /** The {@code --format} values that read a feature table. */
  static final List<String> TABLE_FORMATS = List.of("parquet", "csv", "libsvm");
  /** The image shapes a vector length gives without {@code --image-shape}. */
  static final Map<Integer, Shape> STANDARD_SHAPES = Map.of(784, new Shape(1, 28, 28),
      3072, new Shape(3, 32, 32), 27648, new Shape(3, 96, 96));
  private static final String ID_COL = ImageFrames.ID_COL;

  /**
   * How to read the images.
   *
   * @param format {@code auto}, an image dataset format, or one of {@link #TABLE_FORMATS}
   * @param channels a dataset's images converted to 1 or 3 channels; 0 keeps them
   * @param imageSize a dataset's images resized to this side; 0 keeps them
   * @param imageShape a table's image shape {@code (C, H, W)}; null infers it from the length
   * @param featuresCol a table's pixel vector column
   * @param labelCol a table's label column; null takes {@code label} when there is one
   */
  record Options(String format, int channels, int imageSize, Shape imageShape,
      String featuresCol, String labelCol) {}

  private final TrainingImages images;
  private final Shape shape;
  private final ImageDataset dataset;

  private DeepInput(TrainingImages images, Shape shape, ImageDataset dataset) {
    this.images = images;
    this.shape = shape;
    this.dataset = dataset;
  }

  /**
   * Opens the images.
   *
   * @param spark the session a feature table is read with
   * @param input a path or a dataset name
   * @param selection which images (rows of a table: by row index)
   * @param options how to read them
   * @param fixedShape the shape the images must have (held-out images: the training shape), or
   *     null to take it from the input and the options
   * @return the images; close it when done
   * @throws UsageException for options that do not apply to the input's kind, or a table whose
   *     image shape cannot be inferred or does not fit its vectors
   * @throws IllegalArgumentException for an unreadable input, no images, a label that is not a
   *     class index, or a pixel value outside [0, 1] (naming the row)
   */
  static DeepInput open(SparkSession spark, String input, ImageFrames.Selection selection,
      Options options, Shape fixedShape) {
    if (isTable(input, options.format())) {
      if (options.channels() != 0 || options.imageSize() != 0) {
        throw new UsageException("--channels and --image-size convert the images of a dataset;"
            + " '" + input + "' is a feature table, whose vectors are used as they are at"
            + " --image-shape");
      }
      return readTable(spark, input, selection, options, fixedShape);
    }
    if (fixedShape == null && (options.imageShape() != null || options.featuresCol() != null
        || options.labelCol() != null)) {
      throw new UsageException("--image-shape, --features-col and --label-col apply to a feature"
          + " table; '" + input + "' is an image dataset");
    }
    ImageDataset set = ImageInputs.open(spark, input, options.format());
    try {
      int[] indices = selection.indices(set.size());
      if (indices.length == 0) {
        throw new IllegalArgumentException("Dataset " + set.name() + " has no images.");
      }
      Shape shape = fixedShape != null ? fixedShape : DatasetImages.shapeOf(
          set.get(indices[0]).image(), options.channels(), options.imageSize());
      return new DeepInput(new DatasetImages(set, indices, shape), shape, set);
    } catch (RuntimeException e) {
      set.close();
      throw e;
    }
  }

  /**
   * Whether {@code input} is a feature table: a table format is given, or with {@code auto} a
   * file named like a feature file ({@link FeatureInput#formatOfName}), or a folder whose visible
   * entries are all such files (Spark's part files; names starting with {@code _} or {@code .}
   * are not looked at).
   */
  static boolean isTable(String input, String format) {
    String f = format == null ? "auto" : format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("auto")) {
      return TABLE_FORMATS.contains(f);
    }
    Path p = Path.of(input);
    if (Files.isRegularFile(p)) {
      return FeatureInput.formatOfName(p.getFileName().toString()) != null;
    }
    if (!Files.isDirectory(p)) {
      return false; // a dataset name, or a missing path the dataset reader reports
    }
    try (Stream<Path> entries = Files.list(p)) {
      List<Path> visible = entries.filter(e -> !e.getFileName().toString().startsWith("_")
          && !e.getFileName().toString().startsWith(".")).toList();
      return !visible.isEmpty() && visible.stream().allMatch(e -> Files.isRegularFile(e)
          && FeatureInput.formatOfName(e.getFileName().toString()) != null);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list '" + input + "'", e);
    }
  }

  private static DeepInput readTable(SparkSession spark, String path,
      ImageFrames.Selection selection, Options options, Shape fixedShape) {
    String format = TABLE_FORMATS.contains(options.format().toLowerCase(Locale.ROOT))
        ? options.format() : "auto";
    List<String> columns = FeatureInput.columns(spark, path, format);
    String featuresCol = options.featuresCol() != null ? options.featuresCol()
        : FeatureInput.DEFAULT_FEATURES_COL;
    String labelCol = options.labelCol() != null ? options.labelCol()
        : columns.contains(FeatureInput.LABEL_COL) ? FeatureInput.LABEL_COL : null;
    boolean hasId = columns.contains(ID_COL) && !ID_COL.equals(labelCol)
        && !ID_COL.equals(featuresCol);
    LoadedInput in = FeatureInput.read(spark, path, format, featuresCol, labelCol, null, false,
        hasId ? List.of(ID_COL) : List.of());
    int length = in.numFeatures();
    Shape shape = fixedShape != null ? fixedShape : options.imageShape() != null
        ? options.imageShape() : STANDARD_SHAPES.get(length);
    if (shape == null) {
      throw new UsageException("'" + path + "' has vectors of " + length + " values in column '"
          + featuresCol + "', not a standard image size (784 = 1x28x28, 3072 = 3x32x32, 27648"
          + " = 3x96x96): give --image-shape C,H,W");
    }
    if (shape.size() != length) {
      throw new UsageException("Image shape " + shape + " has " + shape.size() + " values, but"
          + " the vectors of '" + path + "' (column '" + featuresCol + "') have " + length);
    }
    if (in.numRows() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("'" + path + "' has " + in.numRows() + " rows; use"
          + " --limit.");
    }
    int[] rows = selection.indices((int) in.numRows());
    if ((long) rows.length * length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(rows.length + " images of " + length + " values do not"
          + " fit in one array on the driver; use --limit.");
    }
    int[] position = new int[(int) in.numRows()];
    Arrays.fill(position, -1);
    for (int i = 0; i < rows.length; i++) {
      position[rows[i]] = i;
    }
    float[] pixels = new float[rows.length * length];
    int[] labels = new int[rows.length];
    String[] ids = new String[rows.length];
    String[] names = in.data().columns();
    int rowIndex = List.of(names).indexOf(FeatureInput.ROW_COL);
    int labelIndex = List.of(names).indexOf(FeatureInput.LABEL_COL);
    int idIndex = hasId ? List.of(names).indexOf(ID_COL) : -1;
    int featuresIndex = List.of(names).indexOf(featuresCol);
    int c = (int) shape.get(0);
    int plane = (int) (shape.get(1) * shape.get(2));
    // one partition on the driver at a time: the doubles are never all held at once
    for (Iterator<Row> it = in.data().toLocalIterator(); it.hasNext(); ) {
      Row r = it.next();
      long row = r.getLong(rowIndex);
      int i = position[(int) row];
      if (i < 0) {
        continue;
      }
      labels[i] = classIndex(labelIndex < 0 ? null : r.get(labelIndex), row, path, labelCol);
      Object id = idIndex < 0 ? null : r.get(idIndex);
      ids[i] = id != null ? id.toString() : Long.toString(row);
      double[] x = ((Vector) r.get(featuresIndex)).toArray();
      int base = i * length;
      for (int p = 0; p < plane; p++) { // HWC in, CHW out
        for (int ch = 0; ch < c; ch++) {
          double v = x[p * c + ch];
          if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException("Row " + row + " of '" + path + "' has " + v
                + " at position " + (p * c + ch) + " of column '" + featuresCol + "': pixel"
                + " values must be in [0, 1] (samples divided by 255, as convert --to parquet"
                + " writes).");
          }
          pixels[base + ch * plane + p] = (float) v;
        }
      }
    }
    String name = in.format() + " feature table " + path;
    return new DeepInput(TrainingImages.of(name, pixels, labels, ids, length), shape, null);
  }

  /** A table's label as a class index, -1 for null. */
  private static int classIndex(Object label, long row, String path, String labelCol) {
    if (label == null) {
      return -1;
    }
    double v = ((Number) label).doubleValue();
    if (!(v >= 0 && v <= Integer.MAX_VALUE && v == Math.rint(v))) {
      throw new IllegalArgumentException("Row " + row + " of '" + path + "' has label " + label
          + " in column '" + labelCol + "', not a class index (an integer, at least 0) or"
          + " null.");
    }
    return (int) v;
  }

  /**
   * Parses {@code --image-shape}.
   *
   * @param value {@code C,H,W}
   * @return the shape
   * @throws UsageException unless C is 1 or 3 and H and W are positive integers
   */
  static Shape parseShape(String value) {
    String[] parts = value.split(",");
    try {
      if (parts.length == 3) {
        long ch = Long.parseLong(parts[0].trim());
        long h = Long.parseLong(parts[1].trim());
        long w = Long.parseLong(parts[2].trim());
        if ((ch == 1 || ch == 3) && h >= 1 && w >= 1) {
          return new Shape(ch, h, w);
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--image-shape expects C,H,W with C 1 or 3 and H, W positive"
        + " integers (e.g. 3,32,32), got '" + value + "'");
  }

  /** @return the images */
  TrainingImages images() {
    return images;
  }

  /** @return {@code (C, H, W)} */
  Shape shape() {
    return shape;
  }

  @Override
  public void close() {
    if (dataset != null) {
      dataset.close();
    }
  }
}
