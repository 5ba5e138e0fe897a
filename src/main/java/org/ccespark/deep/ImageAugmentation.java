package org.ccespark.deep;

import java.util.SplittableRandom;

/**
 * A random transformation T of an image for the self-augmentation term of the paper's deep
 * clustering loss (section 5.2: the network's prediction on T(x) is pulled toward the pseudo-label
 * of x). Images are float {@code C × H × W} (channel-major) with values in [0, 1], as
 * {@link ImageTensors} makes them, before normalisation; the output has the same shape and stays
 * in [0, 1].
 *
 * <p>Implementations draw everything from the {@link SplittableRandom} they are given, so the same
 * random state gives the same output, and allocate nothing per pixel.
 */
public interface ImageAugmentation {
  /** No change: the image is copied. */
  ImageAugmentation NONE = (src, srcOffset, dst, dstOffset, channels, height, width, random) -> {
    checkArrays(src, srcOffset, dst, dstOffset, channels, height, width);
    System.arraycopy(src, srcOffset, dst, dstOffset, channels * height * width);
  };

  /**
   * Writes a random transformation of the image at {@code src[srcOffset ..]} to
   * {@code dst[dstOffset ..]}.
   *
   * @param src the input images
   * @param srcOffset where the input image starts
   * @param dst the output array
   * @param dstOffset where the output image starts; the output must not overlap the input
   * @param channels channels, 1 or 3 (implementations may accept other counts)
   * @param height rows, at least 1
   * @param width columns, at least 1
   * @param random the source of randomness, advanced by the call
   * @throws IllegalArgumentException as {@link #checkArrays}
   */
  void apply(float[] src, int srcOffset, float[] dst, int dstOffset, int channels, int height,
      int width, SplittableRandom random);

  /**
   * {@link #apply(float[], int, float[], int, int, int, int, SplittableRandom)} for one image at
   * the start of each array.
   *
   * @param src the input image
   * @param dst the output image, another array
   * @param channels channels
   * @param height rows
   * @param width columns
   * @param random the source of randomness
   */
  default void apply(float[] src, float[] dst, int channels, int height, int width,
      SplittableRandom random) {
    apply(src, 0, dst, 0, channels, height, width, random);
  }

  /**
   * Transforms {@code count} images stored one after the other, each with its own draws taken in
   * order from {@code random}.
   *
   * @param src {@code count × channels × height × width} floats
   * @param dst the same number of floats, another array
   * @param count number of images
   * @param channels channels
   * @param height rows
   * @param width columns
   * @param random the source of randomness
   */
  default void applyBatch(float[] src, float[] dst, int count, int channels, int height,
      int width, SplittableRandom random) {
    int size = channels * height * width;
    if (count < 0 || (long) count * size > Math.min(src.length, dst.length)) {
      throw new IllegalArgumentException("Arrays of " + src.length + " and " + dst.length
          + " floats cannot hold " + count + " images of " + channels + " x " + height + " x "
          + width + ".");
    }
    for (int i = 0; i < count; i++) {
      apply(src, i * size, dst, i * size, channels, height, width, random);
    }
  }

  /**
   * The augmentation the deep trainer uses by default: for grey images (digits) a small random
   * affine map without flips ({@link RandomAffine#DIGITS}: rotation up to ±15°, scale 0.9–1.1,
   * shift up to ±2 pixels); for colour images {@link ColourAugmentation#forSize}: a random crop
   * after padding by 1/8 of the shorter side, a horizontal flip with probability 0.5, and
   * brightness, contrast and saturation jitter of 0.4.
   *
   * @param channels 1 (grey) or 3 (colour)
   * @param height rows
   * @param width columns
   * @return the augmentation
   * @throws IllegalArgumentException for another channel count or a size below 1
   */
  static ImageAugmentation defaultFor(int channels, int height, int width) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("Image size must be positive, got " + height + " x "
          + width + ".");
    }
    return switch (channels) {
      case 1 -> RandomAffine.DIGITS;
      case 3 -> ColourAugmentation.forSize(height, width);
      default -> throw new IllegalArgumentException("Default augmentations exist for 1 (grey) or 3"
          + " (colour) channels, got " + channels + ".");
    };
  }

  /**
   * The checks every implementation makes: positive sizes, both images inside their arrays, and
   * no overlap between input and output.
   *
   * @param src the input array
   * @param srcOffset where the input image starts
   * @param dst the output array
   * @param dstOffset where the output image starts
   * @param channels channels, at least 1
   * @param height rows, at least 1
   * @param width columns, at least 1
   * @throws IllegalArgumentException naming the failed check
   */
  static void checkArrays(float[] src, int srcOffset, float[] dst, int dstOffset, int channels,
      int height, int width) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("Image shape must be positive, got " + channels + " x "
          + height + " x " + width + ".");
    }
    long size = (long) channels * height * width;
    if (srcOffset < 0 || srcOffset + size > src.length) {
      throw new IllegalArgumentException("Input array of " + src.length + " floats has no "
          + channels + " x " + height + " x " + width + " image at offset " + srcOffset + ".");
    }
    if (dstOffset < 0 || dstOffset + size > dst.length) {
      throw new IllegalArgumentException("Output array of " + dst.length + " floats has no room"
          + " for a " + channels + " x " + height + " x " + width + " image at offset "
          + dstOffset + ".");
    }
    if (src == dst && srcOffset < dstOffset + size && dstOffset < srcOffset + size) {
      throw new IllegalArgumentException("Input and output images overlap (offsets " + srcOffset
          + " and " + dstOffset + " in the same array).");
    }
  }
}
