package org.ccespark.deep;

import ai.djl.ndarray.types.Shape;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.LabeledImage;

/**
 * Images of a dataset (files read by {@link org.ccespark.data.images}) as {@link TrainingImages}
 * of a fixed shape: a selection of indices, each image converted when read (grey to colour or
 * back, resized) by {@link ImageTensors}, so memory holds only the dataset's own bytes.
 */
public final class DatasetImages extends TrainingImages {
  private final ImageDataset dataset;
  private final int[] indices;
  private final int channels;
  private final int height;
  private final int width;

  /**
   * @param dataset the dataset (kept open by the caller)
   * @param indices which of its images, in this order
   * @param shape {@code (C, H, W)} the images are converted to
   */
  public DatasetImages(ImageDataset dataset, int[] indices, Shape shape) {
    this(dataset, indices.clone(), shape, new String[indices.length]);
  }

  private DatasetImages(ImageDataset dataset, int[] indices, Shape shape, String[] ids) {
    super(dataset.name(), labelsAndIds(dataset, indices, ids), ids);
    this.dataset = dataset;
    this.indices = indices;
    this.channels = (int) shape.get(0);
    this.height = (int) shape.get(1);
    this.width = (int) shape.get(2);
  }

  /** The labels of the selected images; fills {@code ids}. */
  private static int[] labelsAndIds(ImageDataset dataset, int[] indices, String[] ids) {
    int[] labels = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      LabeledImage im = dataset.get(indices[i]);
      labels[i] = im.label();
      ids[i] = im.id();
    }
    return labels;
  }

  /**
   * The shape images are trained at: the first image's own unless overridden.
   *
   * @param first the dataset's first selected image
   * @param channels 1 or 3 to convert to, 0 to keep
   * @param size the side to resize to, 0 to keep
   * @return {@code (C, H, W)}
   */
  public static Shape shapeOf(Image first, int channels, int size) {
    if (channels != 0 && channels != 1 && channels != 3) {
      throw new IllegalArgumentException("Channels must be 1 or 3, got " + channels + ".");
    }
    int c = channels == 0 ? first.channels() : channels;
    return new Shape(c, size == 0 ? first.height() : size, size == 0 ? first.width() : size);
  }

  @Override
  public int floatsPerImage() {
    return channels * height * width;
  }

  @Override
  public void read(int index, float[] dst, int offset) {
    ImageTensors.toChw(dataset.get(indices[index]).image(), channels, height, width, dst, offset);
  }
}
