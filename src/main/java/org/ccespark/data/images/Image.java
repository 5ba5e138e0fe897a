package org.ccespark.data.images;

import java.util.Objects;

/**
 * One image as unsigned 8-bit samples in row-major height x width x channels order (HWC): the
 * sample of row {@code y}, column {@code x}, channel {@code c} is {@code pixels[(y * width + x) *
 * channels + c] & 0xff}. One channel is grey, three are red, green, blue.
 *
 * <p>The array is not copied: do not change it after handing it over.
 *
 * @param height number of rows (at least 1)
 * @param width number of columns (at least 1)
 * @param channels 1 (grey) or 3 (RGB)
 * @param pixels {@code height * width * channels} samples
 */
public record Image(int height, int width, int channels, byte[] pixels) {

  /**
   * Checks the sizes.
   *
   * @param height number of rows
   * @param width number of columns
   * @param channels 1 or 3
   * @param pixels the samples
   * @throws IllegalArgumentException if a size is not positive, {@code channels} is not 1 or 3, or
   *     {@code pixels} has the wrong length
   */
  public Image {
    Objects.requireNonNull(pixels, "pixels");
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "Image size must be positive, got " + height + " x " + width + ".");
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException(
          "An image has 1 (grey) or 3 (RGB) channels, got " + channels + ".");
    }
    if ((long) height * width * channels != pixels.length) {
      throw new IllegalArgumentException("An image of " + height + " x " + width + " x " + channels
          + " needs " + (long) height * width * channels + " samples, got " + pixels.length + ".");
    }
  }

  /**
   * One sample.
   *
   * @param y row, 0 at the top
   * @param x column, 0 at the left
   * @param c channel
   * @return the sample, 0-255
   */
  public int sample(int y, int x, int c) {
    return pixels[(y * width + x) * channels + c] & 0xff;
  }

  /**
   * Number of samples, {@code height * width * channels}.
   *
   * @return the length of {@link #pixels()}
   */
  public int size() {
    return pixels.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Image i && i.height == height && i.width == width
        && i.channels == channels && java.util.Arrays.equals(i.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(height, width, channels) * 31 + java.util.Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "Image[" + height + " x " + width + " x " + channels + "]";
  }
}
