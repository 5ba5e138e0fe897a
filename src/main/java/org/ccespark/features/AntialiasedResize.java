package org.ccespark.features;

import org.ccespark.data.images.Image;

/**
 * Bilinear resizing of an {@link Image} exactly as Pillow's {@code Image.resize(size,
 * Image.BILINEAR)} does it, which is what torchvision's {@code Resize} and the ImageNet weights'
 * preset transforms do to a PIL image (the way torchvision's {@code ImageFolder} and reference
 * scripts load images): a triangle filter whose support grows with the shrinking factor (so
 * shrinking averages every source pixel instead of skipping some: antialiasing), half-pixel
 * centres, weights renormalised at the borders, coefficients in 22-bit fixed point, a horizontal
 * pass then a vertical one, each rounded to 8 bits. Pillow's {@code libImaging/Resample.c}
 * (9.x) is reproduced step for step, so the result is the same bytes; {@code PreprocessingTest}
 * checks it against torchvision 0.14 / Pillow 9.4.
 *
 * <p>Enlarging uses the same code (the filter's support stays one pixel): it is ordinary bilinear
 * interpolation with half-pixel centres, rounded to 8 bits.
 */
public final class AntialiasedResize {
  /** Pillow's fixed-point precision for 8-bit images. */
  private static final int PRECISION_BITS = 32 - 8 - 2;

  private AntialiasedResize() {}

  /**
   * Resizes {@code image} to {@code resizedHeight × resizedWidth} and writes the window of
   * {@code rows × cols} pixels starting at row {@code top}, column {@code left} of the resized
   * image, channel-major ({@code CHW}), three channels (a grey image repeated), each 8-bit sample
   * divided by 255.
   *
   * @param image the image, grey or RGB
   * @param resizedHeight height of the resized image, at least 1
   * @param resizedWidth width of the resized image, at least 1
   * @param top first row of the window, {@code 0 <= top <= resizedHeight - rows}
   * @param left first column of the window, {@code 0 <= left <= resizedWidth - cols}
   * @param rows rows of the window, at least 1
   * @param cols columns of the window, at least 1
   * @param out receives {@code 3 × rows × cols} floats from {@code offset}
   * @param offset where the window starts in {@code out}
   * @throws IllegalArgumentException if the image is not a valid grey or RGB image or the window
   *     does not fit
   */
  public static void resize(Image image, int resizedHeight, int resizedWidth, int top, int left,
      int rows, int cols, float[] out, int offset) {
    int h = image.height();
    int w = image.width();
    int c = image.channels();
    BilinearResize.checkImage(image);
    BilinearResize.checkWindow(resizedHeight, resizedWidth, top, left, rows, cols);
    if (offset < 0 || (long) offset + 3L * rows * cols > out.length) {
      throw new IllegalArgumentException("Output array of " + out.length + " floats cannot hold "
          + "3x" + rows + "x" + cols + " floats from offset " + offset + ".");
    }
    byte[] px = image.pixels();
    boolean horizontal = resizedWidth != w;
    boolean vertical = resizedHeight != h;
    Coefficients ch = horizontal ? new Coefficients(w, resizedWidth, left, cols) : null;
    Coefficients cv = vertical ? new Coefficients(h, resizedHeight, top, rows) : null;
    // Source rows the vertical pass reads (all rows of the window when there is none).
    int firstRow = vertical ? cv.first() : top;
    int lastRow = vertical ? cv.last() : top + rows;
    int tmpRows = lastRow - firstRow;
    int plane = rows * cols;
    int[] tmp = new int[tmpRows * cols];
    for (int ch0 = 0; ch0 < c; ch0++) {
      // Horizontal pass: source rows firstRow..lastRow-1, the window's columns, rounded to 8 bits.
      for (int y = 0; y < tmpRows; y++) {
        int rowBase = (firstRow + y) * w;
        for (int j = 0; j < cols; j++) {
          int v;
          if (horizontal) {
            int lo = ch.min[j];
            int n = ch.count[j];
            int kb = j * ch.ksize;
            int ss = 1 << (PRECISION_BITS - 1);
            for (int x = 0; x < n; x++) {
              ss += (px[(rowBase + lo + x) * c + ch0] & 0xFF) * ch.k[kb + x];
            }
            v = clip8(ss);
          } else {
            v = px[(rowBase + left + j) * c + ch0] & 0xFF;
          }
          tmp[y * cols + j] = v;
        }
      }
      // Vertical pass over the intermediate rows, rounded to 8 bits.
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          int v;
          if (vertical) {
            int lo = cv.min[i] - firstRow;
            int n = cv.count[i];
            int kb = i * cv.ksize;
            int ss = 1 << (PRECISION_BITS - 1);
            for (int y = 0; y < n; y++) {
              ss += tmp[(lo + y) * cols + j] * cv.k[kb + y];
            }
            v = clip8(ss);
          } else {
            v = tmp[(top + i - firstRow) * cols + j];
          }
          float f = v / 255f;
          if (c == 1) {
            out[offset + i * cols + j] = f;
            out[offset + plane + i * cols + j] = f;
            out[offset + 2 * plane + i * cols + j] = f;
          } else {
            out[offset + ch0 * plane + i * cols + j] = f;
          }
        }
      }
    }
  }

  private static int clip8(int in) {
    if (in >= (1 << PRECISION_BITS << 8)) {
      return 255;
    }
    if (in <= 0) {
      return 0;
    }
    return in >> PRECISION_BITS;
  }

  /** Pillow's triangle (bilinear) filter, support 1. */
  private static double triangle(double x) {
    double a = x < 0 ? -x : x;
    return a < 1.0 ? 1.0 - a : 0.0;
  }

  /**
   * Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} for the output
   * positions {@code first .. first + n - 1} of an axis resized from {@code in} to
   * {@code outSize}: for each, the first source index, the number of source pixels and their
   * fixed-point weights.
   */
  private static final class Coefficients {
    final int ksize;
    final int[] min;
    final int[] count;
    final int[] k;

    Coefficients(int in, int outSize, int first, int n) {
      double scale = (double) in / outSize;
      double filterscale = scale < 1.0 ? 1.0 : scale;
      double support = 1.0 * filterscale;
      ksize = (int) Math.ceil(support) * 2 + 1;
      min = new int[n];
      count = new int[n];
      k = new int[n * ksize];
      double[] w = new double[ksize];
      for (int o = 0; o < n; o++) {
        int xx = first + o;
        double center = (xx + 0.5) * scale;
        double ww = 0.0;
        double ss = 1.0 / filterscale;
        int xmin = (int) (center - support + 0.5);
        if (xmin < 0) {
          xmin = 0;
        }
        int xmax = (int) (center + support + 0.5);
        if (xmax > in) {
          xmax = in;
        }
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
          double v = triangle((x + xmin - center + 0.5) * ss);
          w[x] = v;
          ww += v;
        }
        for (int x = 0; x < xmax; x++) {
          if (ww != 0.0) {
            w[x] /= ww;
          }
          double p = w[x];
          k[o * ksize + x] = (int) (p < 0 ? -0.5 + p * (1 << PRECISION_BITS)
              : 0.5 + p * (1 << PRECISION_BITS));
        }
        min[o] = xmin;
        count[o] = xmax;
      }
    }

    /** First source index any of the positions reads. */
    int first() {
      int f = Integer.MAX_VALUE;
      for (int m : min) {
        f = Math.min(f, m);
      }
      return f;
    }

    /** One past the last source index any of the positions reads. */
    int last() {
      int l = 0;
      for (int o = 0; o < min.length; o++) {
        l = Math.max(l, min[o] + count[o]);
      }
      return l;
    }
  }
}
