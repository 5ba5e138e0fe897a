package org.ccespark.data;

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

/**
 * A feature table of images read onto the driver: a folder of Parquet, CSV or LibSVM part files
 * (such as {@code convert --to parquet} writes), or one such file, whose vectors are pixel values
 * in [0, 1] in height × width × channel order, collected partition by partition and held as
 * floats, channel-major ({@code C × H × W} per image), with each image's label and id.
 *
 * <pre>{@code
 * PixelTable t = PixelTable.read(spark, "digits.parquet", ImageFrames.Selection.ALL, "auto",
 *     null, null, null);          // 784 values per vector: 1 x 28 x 28
 * }</pre>
 *
 * @param name what the table is, for messages: format and path
 * @param pixels every image's pixels, channel-major, one image after the other
 * @param labels every image's class index, -1 for a null label or no label column
 * @param ids every image's {@code id} column value, else its row index
 * @param shape the images' shape
 */
public record PixelTable(String name, float[] pixels, int[] labels, String[] ids,
    ImageShape shape) {
  /** The formats that read a feature table. */
  public static final List<String> FORMATS = List.of("parquet", "csv", "libsvm");
  /** The image shapes a vector length gives without an explicit shape. */
  public static final Map<Integer, ImageShape> STANDARD_SHAPES = Map.of(
      784, new ImageShape(1, 28, 28), 3072, new ImageShape(3, 32, 32),
      27648, new ImageShape(3, 96, 96));
  private static final String ID_COL = ImageFrames.ID_COL;

  /** @return number of images */
  public int size() {
    return labels.length;
  }

  /**
   * Whether {@code input} is a feature table: a table format is given, or with {@code auto} a
   * file named like a feature file ({@link FeatureInput#formatOfName}), or a folder whose visible
   * entries are all such files (Spark's part files; names starting with {@code _} or {@code .}
   * are not looked at).
   */
  public static boolean isTable(String input, String format) {
    String f = format == null ? "auto" : format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("auto")) {
      return FORMATS.contains(f);
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

  /**
   * Reads the selected rows of a table.
   *
   * @param format {@code auto} or one of {@link #FORMATS} (any other value reads as auto)
   * @param featuresCol the pixel vector column, or null for {@code features}
   * @param labelCol the label column, or null to take {@code label} when there is one
   * @param shape the images' shape, or null to infer it from the vector length
   *     ({@link #STANDARD_SHAPES})
   * @throws SettingException if the shape cannot be inferred or does not fit the vectors
   * @throws IllegalArgumentException for an unreadable table, a label that is not a class index,
   *     or a pixel value outside [0, 1] (naming the row)
   */
  public static PixelTable read(SparkSession spark, String path, ImageFrames.Selection selection,
      String format, String featuresCol, String labelCol, ImageShape shape) {
    String f = FORMATS.contains(format.toLowerCase(Locale.ROOT)) ? format : "auto";
    List<String> columns = FeatureInput.columns(spark, path, f);
    String features = featuresCol != null ? featuresCol : FeatureInput.DEFAULT_FEATURES_COL;
    String label = labelCol != null ? labelCol
        : columns.contains(FeatureInput.LABEL_COL) ? FeatureInput.LABEL_COL : null;
    boolean hasId = columns.contains(ID_COL) && !ID_COL.equals(label)
        && !ID_COL.equals(features);
    LoadedInput in = FeatureInput.read(spark, path, f, features, label, null, false,
        hasId ? List.of(ID_COL) : List.of());
    int length = in.numFeatures();
    ImageShape s = shape != null ? shape : STANDARD_SHAPES.get(length);
    if (s == null) {
      throw new SettingException("'" + path + "' has vectors of " + length + " values in column '"
          + features + "', not a standard image size (784 = 1x28x28, 3072 = 3x32x32, 27648"
          + " = 3x96x96): give --image-shape C,H,W");
    }
    if (s.size() != length) {
      throw new SettingException("Image shape " + s + " has " + s.size() + " values, but"
          + " the vectors of '" + path + "' (column '" + features + "') have " + length);
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
    List<String> names = List.of(in.data().columns());
    int rowIndex = names.indexOf(FeatureInput.ROW_COL);
    int labelIndex = names.indexOf(FeatureInput.LABEL_COL);
    int idIndex = hasId ? names.indexOf(ID_COL) : -1;
    int featuresIndex = names.indexOf(features);
    int c = s.channels();
    int plane = s.height() * s.width();
    // one partition on the driver at a time: the doubles are never all held at once
    for (Iterator<Row> it = in.data().toLocalIterator(); it.hasNext(); ) {
      Row r = it.next();
      long row = r.getLong(rowIndex);
      int i = position[(int) row];
      if (i < 0) {
        continue;
      }
      labels[i] = classIndex(labelIndex < 0 ? null : r.get(labelIndex), row, path, label);
      Object id = idIndex < 0 ? null : r.get(idIndex);
      ids[i] = id != null ? id.toString() : Long.toString(row);
      double[] x = ((Vector) r.get(featuresIndex)).toArray();
      int base = i * length;
      for (int p = 0; p < plane; p++) { // HWC in, CHW out
        for (int ch = 0; ch < c; ch++) {
          double v = x[p * c + ch];
          if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException("Row " + row + " of '" + path + "' has " + v
                + " at position " + (p * c + ch) + " of column '" + features + "': pixel"
                + " values must be in [0, 1] (samples divided by 255, as convert --to parquet"
                + " writes).");
          }
          pixels[base + ch * plane + p] = (float) v;
        }
      }
    }
    return new PixelTable(in.format() + " feature table " + path, pixels, labels, ids, s);
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
}
