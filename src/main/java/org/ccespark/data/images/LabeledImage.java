package org.ccespark.data.images;

import java.util.Objects;

/**
 * An image of a dataset with its identifier and label.
 *
 * @param id stable and unique within the dataset, for example {@code
 *     train-images-idx3-ubyte.gz#123} or a path relative to an image folder
 * @param label the class index, 0-based, or {@link #UNKNOWN} when the dataset has no label for it
 * @param image the pixels
 */
public record LabeledImage(String id, int label, Image image) {
  /** The label of an image whose class is not known. */
  public static final int UNKNOWN = -1;

  /**
   * Checks the components.
   *
   * @param id the identifier
   * @param label the class index or -1
   * @param image the pixels
   * @throws IllegalArgumentException if the label is below -1
   */
  public LabeledImage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(image, "image");
    if (label < UNKNOWN) {
      throw new IllegalArgumentException("Label of " + id + " is " + label
          + "; labels are class indices from 0, or -1 when unknown.");
    }
  }

  /**
   * Whether the label is known.
   *
   * @return {@code label != -1}
   */
  public boolean hasLabel() {
    return label != UNKNOWN;
  }
}
