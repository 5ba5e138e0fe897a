package org.ccespark.deep;

import ai.djl.ndarray.types.Shape;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.LabeledImage;
import org.ccespark.math.Shuffle;

/**
 * Images of a dataset (files read by {@link org.ccespark.data.images}) as an {@link ImageSource}
 * of a fixed shape: a selection of indices, each image converted when read (grey to colour or
 * back, resized) by {@link ImageTensors}, so memory holds only the dataset's own bytes.
 */
public final class DatasetImages implements ImageSource {
  private final ImageDataset dataset;
  private final int[] indices;
  private final int[] labels;
  private final String[] ids;
  private final int channels;
  private final int height;
  private final int width;

  /**
   * @param dataset the dataset (kept open by the caller)
   * @param indices which of its images, in this order
   * @param shape {@code (C, H, W)} the images are converted to
   */
  public DatasetImages(ImageDataset dataset, int[] indices, Shape shape) {
    this.dataset = dataset;
    this.indices = indices.clone();
    this.channels = (int) shape.get(0);
    this.height = (int) shape.get(1);
    this.width = (int) shape.get(2);
    this.labels = new int[indices.length];
    this.ids = new String[indices.length];
    for (int i = 0; i < indices.length; i++) {
      LabeledImage im = dataset.get(indices[i]);
      labels[i] = im.label();
      ids[i] = im.id();
    }
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
  public int size() {
    return indices.length;
  }

  @Override
  public int floatsPerImage() {
    return channels * height * width;
  }

  @Override
  public void read(int index, float[] dst, int offset) {
    ImageTensors.toChw(dataset.get(indices[index]).image(), channels, height, width, dst, offset);
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  /**
   * @param index from 0 to {@code size() - 1}
   * @return the image's id in its dataset
   */
  public String id(int index) {
    return ids[index];
  }

  /** @return whether any image has a label */
  public boolean hasLabels() {
    for (int l : labels) {
      if (l >= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param option the option that named these images, for the message
   * @throws IllegalArgumentException naming the first image without a label
   */
  public void requireLabels(String option) {
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("Image " + ids[i] + " of " + option + " ("
            + dataset.name() + ") has no label; held-out images must all be labelled.");
      }
    }
  }

  /**
   * The semi-supervised seeds: a seeded choice of {@code round(fraction · N)} labelled images.
   *
   * @param fraction of all images
   * @param seed the choice's seed
   * @param option the option that named these images, for the message
   * @return per image whether its label is given
   */
  public boolean[] seedRows(double fraction, long seed, String option) {
    int wanted = (int) Math.round(fraction * indices.length);
    boolean[] seeds = new boolean[indices.length];
    int chosen = 0;
    for (int i : Shuffle.permutation(seed, -1, 0, indices.length)) {
      if (chosen == wanted) {
        break;
      }
      if (labels[i] >= 0) {
        seeds[i] = true;
        chosen++;
      }
    }
    if (chosen < wanted) {
      throw new IllegalArgumentException("A seed fraction of " + fraction + " needs " + wanted
          + " labelled images, but " + option + " (" + dataset.name() + ") has only " + chosen
          + ".");
    }
    return seeds;
  }
}
