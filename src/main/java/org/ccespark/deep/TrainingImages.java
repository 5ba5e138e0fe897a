package org.ccespark.deep;

import org.ccespark.math.Shuffle;

/**
 * An {@link ImageSource} whose images have ids and optional labels, as {@code train-deep} trains
 * on, scores and writes them: images of a dataset ({@link DatasetImages}) or pixels already in
 * memory ({@link #of}).
 */
public abstract class TrainingImages implements ImageSource {
  private final String name;
  private final int[] labels;
  private final String[] ids;

  /**
   * @param name what the images are, for messages (e.g. the dataset's name)
   * @param labels one per image, -1 for unknown (not copied)
   * @param ids one per image (not copied)
   */
  protected TrainingImages(String name, int[] labels, String[] ids) {
    if (labels.length != ids.length) {
      throw new IllegalArgumentException("There are " + labels.length + " labels but "
          + ids.length + " ids.");
    }
    this.name = name;
    this.labels = labels;
    this.ids = ids;
  }

  /**
   * Images held in memory.
   *
   * @param name what the images are, for messages
   * @param pixels {@code size × floatsPerImage} floats in [0, 1], channel-major, image after image
   * @param labels one per image, -1 for unknown
   * @param ids one per image
   * @param floatsPerImage {@code C·H·W}
   * @return the images (the arrays are not copied)
   */
  public static TrainingImages of(String name, float[] pixels, int[] labels, String[] ids,
      int floatsPerImage) {
    ImageSource source = ImageSource.of(pixels, labels, floatsPerImage);
    return new TrainingImages(name, labels, ids) {
      @Override
      public int floatsPerImage() {
        return floatsPerImage;
      }

      @Override
      public void read(int index, float[] dst, int offset) {
        source.read(index, dst, offset);
      }
    };
  }

  /** @return what the images are, for messages */
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  /**
   * @param index from 0 to {@code size() - 1}
   * @return the image's id
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
        throw new IllegalArgumentException("Image " + ids[i] + " of " + option + " (" + name
            + ") has no label; held-out images must all be labelled.");
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
    int wanted = (int) Math.round(fraction * labels.length);
    boolean[] seeds = new boolean[labels.length];
    int chosen = 0;
    for (int i : Shuffle.permutation(seed, -1, 0, labels.length)) {
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
          + " labelled images, but " + option + " (" + name + ") has only " + chosen + ".");
    }
    return seeds;
  }
}
