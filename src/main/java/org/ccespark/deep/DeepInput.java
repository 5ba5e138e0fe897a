package org.ccespark.deep;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.ccespark.data.ImageShape;
import org.ccespark.data.PixelInput;
import org.ccespark.data.PixelTable;

/**
 * The trainer's images from a {@link PixelInput}: a feature table's pixels as they are, or an
 * image dataset's selected images converted ({@link DatasetImages}) to one shape. No Spark: the
 * input was read by {@link PixelInput#open}.
 *
 * <pre>{@code
 * try (DeepInput in = DeepInput.open(PixelInput.open(spark, "demo", ImageFrames.Selection.ALL,
 *     PixelInput.Options.of("auto"), null))) {
 *   TrainingImages images = in.images();
 * }
 * }</pre>
 */
public final class DeepInput implements AutoCloseable {
  /** The {@code --format} values that read a feature table. */
  public static final List<String> TABLE_FORMATS = PixelInput.TABLE_FORMATS;

  private final TrainingImages images;
  private final Shape shape;
  private final PixelInput input;

  private DeepInput(TrainingImages images, Shape shape, PixelInput input) {
    this.images = images;
    this.shape = shape;
    this.input = input;
  }

  /**
   * The images of {@code input}; closing the result closes the input.
   *
   * @throws IllegalArgumentException if an image cannot be converted
   */
  public static DeepInput open(PixelInput input) {
    try {
      if (input instanceof PixelInput.Table t) {
        PixelTable table = t.table();
        return new DeepInput(TrainingImages.of(table.name(), table.pixels(), table.labels(),
            table.ids(), (int) table.shape().size()), shape(table.shape()), input);
      }
      PixelInput.Dataset d = (PixelInput.Dataset) input;
      Shape shape = d.shape() != null ? shape(d.shape()) : DatasetImages.shapeOf(
          d.images().get(d.indices()[0]).image(), d.channels(), d.imageSize());
      return new DeepInput(new DatasetImages(d.images(), d.indices(), shape), shape, input);
    } catch (RuntimeException e) {
      input.close();
      throw e;
    }
  }

  /** {@code (C, H, W)} as DJL's shape. */
  public static Shape shape(ImageShape s) {
    return new Shape(s.channels(), s.height(), s.width());
  }

  /** DJL's {@code (C, H, W)} as an image shape. */
  public static ImageShape imageShape(Shape s) {
    return new ImageShape((int) s.get(0), (int) s.get(1), (int) s.get(2));
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
    input.close();
  }
}
