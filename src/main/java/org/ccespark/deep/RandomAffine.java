package org.ccespark.deep;

import java.util.SplittableRandom;

/**
 * A random affine map about the image centre, for grey digits: rotation by an angle uniform in
 * {@code [−maxDegrees, maxDegrees]}, scaling by a factor uniform in {@code [minScale, maxScale]},
 * and a shift by a whole number of pixels uniform in {@code [−maxShift, maxShift]} along each axis
 * (torchvision's {@code RandomAffine(degrees, translate, scale)}, which also rounds shifts to whole
 * pixels). Each output pixel takes the bilinear interpolation of the input at its inverse image;
 * positions outside the input count as 0 (black). Never flips: a mirrored digit is another symbol.
 * Draws, in order: angle, scale, vertical shift, horizontal shift.
 *
 * <p>With {@code maxDegrees = 0}, {@code minScale = maxScale = 1} and {@code maxShift = 0} the
 * output equals the input exactly.
 *
 * @param maxDegrees largest rotation in degrees, in [0, 180]
 * @param minScale smallest scale factor, positive
 * @param maxScale largest scale factor, at least {@code minScale}
 * @param maxShift largest shift in pixels, at least 0
 */
public record RandomAffine(double maxDegrees, double minScale, double maxScale, int maxShift)
    implements ImageAugmentation {
  /** The default for grey digits: ±15°, scale 0.9 to 1.1, shifts up to ±2 pixels. */
  public static final RandomAffine DIGITS = new RandomAffine(15, 0.9, 1.1, 2);

  /**
   * Checks the ranges.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public RandomAffine {
    if (!(maxDegrees >= 0 && maxDegrees <= 180)) {
      throw new IllegalArgumentException("Largest rotation must be in [0, 180] degrees, got "
          + maxDegrees + ".");
    }
    if (!(minScale > 0) || !(maxScale >= minScale) || Double.isInfinite(maxScale)) {
      throw new IllegalArgumentException("Scale range must satisfy 0 < min <= max < infinity, got "
          + minScale + " to " + maxScale + ".");
    }
    if (maxShift < 0) {
      throw new IllegalArgumentException("Largest shift must be at least 0 pixels, got " + maxShift
          + ".");
    }
  }

  /**
   * Writes a random affine transformation of the image (any number of channels, all moved
   * alike).
   */
  @Override
  public void apply(float[] src, int srcOffset, float[] dst, int dstOffset, int channels,
      int height, int width, SplittableRandom random) {
    ImageAugmentation.checkArrays(src, srcOffset, dst, dstOffset, channels, height, width);
    double angle = Math.toRadians((2 * random.nextDouble() - 1) * maxDegrees);
    double scale = minScale + random.nextDouble() * (maxScale - minScale);
    int shiftY = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
    int shiftX = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
    // Inverse map: output (x, y) comes from centre + R(−angle)·((x, y) − centre − shift) / scale.
    double cos = Math.cos(angle) / scale;
    double sin = Math.sin(angle) / scale;
    double cx = (width - 1) / 2.0;
    double cy = (height - 1) / 2.0;
    int plane = height * width;
    for (int y = 0; y < height; y++) {
      double v = y - cy - shiftY;
      for (int x = 0; x < width; x++) {
        double u = x - cx - shiftX;
        double xs = cos * u + sin * v + cx;
        double ys = -sin * u + cos * v + cy;
        int x0 = (int) Math.floor(xs);
        int y0 = (int) Math.floor(ys);
        float fx = (float) (xs - x0);
        float fy = (float) (ys - y0);
        boolean left = x0 >= 0 && x0 < width;
        boolean right = x0 + 1 >= 0 && x0 + 1 < width && fx != 0;
        boolean top = y0 >= 0 && y0 < height;
        boolean bottom = y0 + 1 >= 0 && y0 + 1 < height && fy != 0;
        float w00 = (1 - fx) * (1 - fy);
        float w01 = fx * (1 - fy);
        float w10 = (1 - fx) * fy;
        float w11 = fx * fy;
        int i00 = y0 * width + x0;
        for (int c = 0; c < channels; c++) {
          int in = srcOffset + c * plane;
          float value = 0;
          if (top && left) {
            value += w00 * src[in + i00];
          }
          if (top && right) {
            value += w01 * src[in + i00 + 1];
          }
          if (bottom && left) {
            value += w10 * src[in + i00 + width];
          }
          if (bottom && right) {
            value += w11 * src[in + i00 + width + 1];
          }
          dst[dstOffset + c * plane + y * width + x] = Math.min(1f, Math.max(0f, value));
        }
      }
    }
  }
}
