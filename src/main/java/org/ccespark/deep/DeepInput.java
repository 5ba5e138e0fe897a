package org.ccespark.deep;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.ImageInputs;
import org.ccespark.data.PixelTable;
import org.ccespark.data.SettingException;
import org.ccespark.data.images.ImageDataset;

/**
 * The images the deep trainer reads ({@code train-deep --input}, {@code --held-out}, and
 * {@code extract} with a network trained by it), and the one place that decides what kind of input
 * a path is: an image dataset read on the driver (files or a dataset name,
 * {@link DatasetImages}), or a feature table of pixel vectors ({@link PixelTable}) held as floats,
 * channel-major.
 *
 * <pre>{@code
 * try (DeepInput in = DeepInput.open(spark, "demo", ImageFrames.Selection.ALL,
 *     new DeepInput.Options("auto", 0, 0, null, null, null), null)) {
 *   TrainingImages images = in.images();
 * }
 * }</pre>
 */
public final class DeepInput implements AutoCloseable {
  /** The {@code --format} values that read a feature table. */
  public static final List<String> TABLE_FORMATS = PixelTable.FORMATS;

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
  public record Options(String format, int channels, int imageSize, Shape imageShape,
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
   * @throws SettingException for options that do not apply to the input's kind, or a table whose
   *     image shape cannot be inferred or does not fit its vectors
   * @throws IllegalArgumentException for an unreadable input, no images, a label that is not a
   *     class index, or a pixel value outside [0, 1] (naming the row)
   */
  public static DeepInput open(SparkSession spark, String input,
      ImageFrames.Selection selection, Options options, Shape fixedShape) {
    if (isTable(input, options.format())) {
      if (options.channels() != 0 || options.imageSize() != 0) {
        throw new SettingException("--channels and --image-size convert the images of a"
            + " dataset; '" + input + "' is a feature table, whose vectors are used as they are"
            + " at --image-shape");
      }
      Shape wanted = fixedShape != null ? fixedShape : options.imageShape();
      PixelTable t = PixelTable.read(spark, input, selection, options.format(),
          options.featuresCol(), options.labelCol(), wanted == null ? null
              : new PixelTable.ImageShape((int) wanted.get(0), (int) wanted.get(1),
                  (int) wanted.get(2)));
      Shape shape = new Shape(t.shape().channels(), t.shape().height(), t.shape().width());
      return new DeepInput(TrainingImages.of(t.name(), t.pixels(), t.labels(), t.ids(),
          (int) t.shape().size()), shape, null);
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
      Shape shape = fixedShape != null ? fixedShape : DatasetImages.shapeOf(
          set.get(indices[0]).image(), options.channels(), options.imageSize());
      return new DeepInput(new DatasetImages(set, indices, shape), shape, set);
    } catch (RuntimeException e) {
      set.close();
      throw e;
    }
  }

  /** Whether {@code input} is a feature table ({@link PixelTable#isTable}). */
  public static boolean isTable(String input, String format) {
    return PixelTable.isTable(input, format);
  }

  /**
   * Parses {@code --image-shape}.
   *
   * @param value {@code C,H,W}
   * @return the shape
   * @throws SettingException unless C is 1 or 3 and H and W are positive integers
   */
  public static Shape parseShape(String value) {
    PixelTable.ImageShape s = PixelTable.ImageShape.parse(value, "--image-shape");
    return new Shape(s.channels(), s.height(), s.width());
  }

  /** @return the images */
  public TrainingImages images() {
    return images;
  }

  /** @return {@code (C, H, W)} */
  public Shape shape() {
    return shape;
  }

  @Override
  public void close() {
    if (dataset != null) {
      dataset.close();
    }
  }
}
