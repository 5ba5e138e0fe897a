package org.ccespark.data;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.images.ImageDataset;

/**
 * The images a network reads ({@code train-deep --input}, {@code --held-out}, {@code extract} with
 * a network trained by it), and the one place that decides what kind of input a path is: an image
 * dataset read on the driver (files or a dataset name, {@link ImageInputs}) or a feature table of
 * pixel vectors ({@link PixelTable}). The deep trainer turns either into its images without Spark
 * ({@code org.ccespark.deep.DeepInput}).
 *
 * <pre>{@code
 * try (PixelInput in = PixelInput.open(spark, "demo", ImageFrames.Selection.ALL,
 *     PixelInput.Options.of("auto"), null)) { ... }
 * }</pre>
 */
public sealed interface PixelInput extends AutoCloseable {
  /** The format values that read a feature table. */
  List<String> TABLE_FORMATS = PixelTable.FORMATS;

  /** Releases the dataset's files, if any. */
  @Override
  void close();

  /**
   * How to read the images.
   *
   * @param format {@code auto}, an image dataset format, or one of {@link #TABLE_FORMATS}
   * @param channels a dataset's images converted to 1 or 3 channels; 0 keeps them
   * @param imageSize a dataset's images resized to this side; 0 keeps them
   * @param imageShape a table's image shape; null infers it from the vector length
   * @param featuresCol a table's pixel vector column
   * @param labelCol a table's label column; null takes {@code label} when there is one
   */
  record Options(String format, int channels, int imageSize, ImageShape imageShape,
      String featuresCol, String labelCol) {
    /** Only a format: every other option at its default. */
    public static Options of(String format) {
      return new Options(format, 0, 0, null, null, null);
    }

    /**
     * The options for a second input read beside this one (a held-out set): its format, channels,
     * size and shape found on their own, the same columns.
     */
    public Options sameColumns() {
      return new Options("auto", 0, 0, null, featuresCol, labelCol);
    }
  }

  /** A feature table, read. */
  record Table(PixelTable table) implements PixelInput {
    @Override
    public void close() {}
  }

  /**
   * An image dataset, open, and the images selected.
   *
   * @param images the dataset; closed with this input
   * @param indices the selected images, at least one
   * @param channels convert to 1 or 3 channels; 0 keeps them
   * @param imageSize resize to this side; 0 keeps them
   * @param shape the shape the images must have, or null to take it from the first one
   */
  record Dataset(ImageDataset images, int[] indices, int channels, int imageSize,
      ImageShape shape) implements PixelInput {
    @Override
    public void close() {
      images.close();
    }
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
   * @throws SettingException for options that do not apply to the input's kind, or a table whose
   *     image shape cannot be inferred or does not fit its vectors
   * @throws IllegalArgumentException for an unreadable input, no images, a label that is not a
   *     class index, or a pixel value outside [0, 1] (naming the row)
   */
  static PixelInput open(SparkSession spark, String input, ImageFrames.Selection selection,
      Options options, ImageShape fixedShape) {
    if (isTable(input, options.format())) {
      if (options.channels() != 0 || options.imageSize() != 0) {
        throw new SettingException("--channels and --image-size convert the images of a"
            + " dataset; '" + input + "' is a feature table, whose vectors are used as they are"
            + " at --image-shape");
      }
      return new Table(PixelTable.read(spark, input, selection, options.format(),
          options.featuresCol(), options.labelCol(),
          fixedShape != null ? fixedShape : options.imageShape()));
    }
    if (fixedShape == null && (options.imageShape() != null || options.featuresCol() != null
        || options.labelCol() != null)) {
      throw new SettingException("--image-shape, --features-col and --label-col apply to a"
          + " feature table; '" + input + "' is an image dataset");
    }
    ImageDataset set = ImageInputs.open(spark, input, options.format());
    try {
      int[] indices = selection.indices(set.size());
      if (indices.length == 0) {
        throw new IllegalArgumentException("Dataset " + set.name() + " has no images.");
      }
      return new Dataset(set, indices, options.channels(), options.imageSize(), fixedShape);
    } catch (RuntimeException e) {
      set.close();
      throw e;
    }
  }

  /** Whether {@code input} is a feature table ({@link PixelTable#isTable}). */
  static boolean isTable(String input, String format) {
    return PixelTable.isTable(input, format);
  }
}
