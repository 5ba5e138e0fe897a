package org.ccespark.deep;

import java.util.SplittableRandom;

/**
 * The usual augmentation for colour images (CIFAR, STL-10), as torchvision's
 * {@code RandomCrop(size, padding)}, {@code RandomHorizontalFlip(p)} and
 * {@code ColorJitter(brightness, contrast, saturation)} in that order:
 *
 * <ol>
 *   <li>crop: the image padded with {@code padding} black pixels on every side and a window of the
 *       original size cut at a uniformly random position, that is a shift by whole pixels uniform
 *       in {@code [−padding, padding]} along each axis with black fill;
 *   <li>flip: mirrored left to right with probability {@code flipProbability};
 *   <li>jitter: brightness, contrast and saturation, in a uniformly random order, each with a
 *       factor {@code f} uniform in {@code [max(0, 1 − s), 1 + s]} for strength {@code s}, each
 *       result clipped to [0, 1]: brightness {@code f·x}; contrast {@code f·x + (1 − f)·m} with
 *       {@code m} the mean grey level of the image; saturation {@code f·x + (1 − f)·g} with
 *       {@code g} the pixel's grey level ({@code 0.2989 R + 0.587 G + 0.114 B}, torchvision's
 *       weights). Saturation applies to three-channel images only; a one-channel image is its own
 *       grey level.
 * </ol>
 *
 * <p>Draws, in order: vertical shift, horizontal shift, flip, the three factors, the order. With
 * padding 0, flip probability 0 and strengths 0 the output equals the input exactly; with flip
 * probability 1 and nothing else, it is the input mirrored.
 *
 * @param padding pixels of black border before cropping, at least 0
 * @param flipProbability probability of a horizontal flip, in [0, 1]
 * @param brightness brightness jitter strength, in [0, 1]
 * @param contrast contrast jitter strength, in [0, 1]
 * @param saturation saturation jitter strength, in [0, 1]
 */
public record ColourAugmentation(int padding, double flipProbability, double brightness,
    double contrast, double saturation) implements ImageAugmentation {
  /** Jitter strength of the default: 0.4 for brightness, contrast and saturation. */
  public static final double DEFAULT_JITTER = 0.4;

  /**
   * Checks the ranges.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public ColourAugmentation {
    if (padding < 0) {
      throw new IllegalArgumentException("Padding must be at least 0 pixels, got " + padding
          + ".");
    }
    checkUnit("Flip probability", flipProbability);
    checkUnit("Brightness jitter", brightness);
    checkUnit("Contrast jitter", contrast);
    checkUnit("Saturation jitter", saturation);
  }

  private static void checkUnit(String what, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(what + " must be in [0, 1], got " + value + ".");
    }
  }

  /**
   * The default for a colour image of the given size: padding 1/8 of the shorter side (4 pixels
   * for CIFAR's 32, 12 for STL-10's 96), flips with probability 0.5, jitter 0.4.
   *
   * @param height rows, at least 1
   * @param width columns, at least 1
   * @return the augmentation
   */
  public static ColourAugmentation forSize(int height, int width) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("Image size must be positive, got " + height + " x "
          + width + ".");
    }
    return new ColourAugmentation(Math.min(height, width) / 8, 0.5, DEFAULT_JITTER,
        DEFAULT_JITTER, DEFAULT_JITTER);
  }

  /** Writes the cropped, maybe flipped, jittered image (any number of channels). */
  @Override
  public void apply(float[] src, int srcOffset, float[] dst, int dstOffset, int channels,
      int height, int width, SplittableRandom random) {
    ImageAugmentation.checkArrays(src, srcOffset, dst, dstOffset, channels, height, width);
    int shiftY = padding == 0 ? 0 : random.nextInt(-padding, padding + 1);
    int shiftX = padding == 0 ? 0 : random.nextInt(-padding, padding + 1);
    boolean flip = random.nextDouble() < flipProbability;
    float fBrightness = factor(brightness, random);
    float fContrast = factor(contrast, random);
    float fSaturation = factor(saturation, random);
    int order = random.nextInt(6);

    // Crop and flip: output (y, x) is input (y + shiftY, x' + shiftX), x' = x or width − 1 − x.
    int plane = height * width;
    for (int c = 0; c < channels; c++) {
      int in = srcOffset + c * plane;
      int out = dstOffset + c * plane;
      for (int y = 0; y < height; y++) {
        int sy = y + shiftY;
        boolean rowInside = sy >= 0 && sy < height;
        for (int x = 0; x < width; x++) {
          int sx = (flip ? width - 1 - x : x) + shiftX;
          dst[out + y * width + x] =
              rowInside && sx >= 0 && sx < width ? src[in + sy * width + sx] : 0f;
        }
      }
    }
    // The three jitters in the drawn order (one of the 6 permutations of 0, 1, 2).
    int first = order / 2;
    int second = (first + 1 + order % 2) % 3;
    int third = 3 - first - second;
    jitter(first, fBrightness, fContrast, fSaturation, dst, dstOffset, channels, plane);
    jitter(second, fBrightness, fContrast, fSaturation, dst, dstOffset, channels, plane);
    jitter(third, fBrightness, fContrast, fSaturation, dst, dstOffset, channels, plane);
  }

  /** A factor uniform in {@code [max(0, 1 − s), 1 + s]}; exactly 1 for strength 0. */
  private static float factor(double strength, SplittableRandom random) {
    double low = Math.max(0, 1 - strength);
    double high = 1 + strength;
    return (float) (low + random.nextDouble() * (high - low));
  }

  private static void jitter(int which, float fBrightness, float fContrast, float fSaturation,
      float[] img, int offset, int channels, int plane) {
    switch (which) {
      case 0 -> blendWithConstant(img, offset, channels * plane, fBrightness, 0f);
      case 1 -> blendWithConstant(img, offset, channels * plane, fContrast,
          meanGrey(img, offset, channels, plane));
      default -> {
        if (channels == 3) {
          saturate(img, offset, plane, fSaturation);
        }
      }
    }
  }

  /** {@code x = clip(f·x + (1 − f)·constant)} over {@code n} values. */
  private static void blendWithConstant(float[] img, int offset, int n, float f, float constant) {
    float add = (1 - f) * constant;
    for (int k = offset; k < offset + n; k++) {
      img[k] = clip(f * img[k] + add);
    }
  }

  /** Mean grey level of the image (the mean of its single channel, if grey). */
  private static float meanGrey(float[] img, int offset, int channels, int plane) {
    double sum = 0;
    if (channels == 3) {
      for (int k = 0; k < plane; k++) {
        sum += grey(img, offset, plane, k);
      }
    } else {
      for (int k = offset; k < offset + channels * plane; k++) {
        sum += img[k];
      }
      sum /= channels;
    }
    return (float) (sum / plane);
  }

  /** Blends each pixel of a three-channel image with its grey level. */
  private static void saturate(float[] img, int offset, int plane, float f) {
    for (int k = 0; k < plane; k++) {
      float g = (1 - f) * grey(img, offset, plane, k);
      img[offset + k] = clip(f * img[offset + k] + g);
      img[offset + plane + k] = clip(f * img[offset + plane + k] + g);
      img[offset + 2 * plane + k] = clip(f * img[offset + 2 * plane + k] + g);
    }
  }

  private static float grey(float[] img, int offset, int plane, int k) {
    return 0.2989f * img[offset + k] + 0.587f * img[offset + plane + k]
        + 0.114f * img[offset + 2 * plane + k];
  }

  private static float clip(float v) {
    return Math.min(1f, Math.max(0f, v));
  }
}
