package org.ccespark.features;

import org.ccespark.data.images.Image;

/**
 * Bilinear resizing of an {@link Image} to floats in [0, 1], as PyTorch's
 * {@code interpolate(mode="bilinear", align_corners=False)} without antialiasing: half-pixel
 * centres, source coordinates clamped at 0, the last row and column repeated at the far edge. Used
 * by the deep trainer's {@code org.ccespark.deep.ImageTensors}; {@link Preprocessing} (ImageNet
 * models) uses {@link AntialiasedResize}, which matches torchvision's ImageNet transforms.
 */
public final class BilinearResize {
  private BilinearResize() {}

  /**
   * Resizes {@code image} to {@code resizedHeight × resizedWidth} and writes the window of
   * {@code rows × cols} pixels starting at row {@code top}, column {@code left} of the resized
   * image, channel-major ({@code CHW}), each sample divided by 255. With {@code channels} 3, a grey
   * image is repeated into the three channels; with 1, the image must be grey. A side whose size
   * does not change is copied exactly.
   *
   * @param image the image, grey or RGB
   * @param resizedHeight height of the resized image, at least 1
   * @param resizedWidth width of the resized image, at least 1
   * @param top first row of the window, {@code 0 <= top <= resizedHeight - rows}
   * @param left first column of the window, {@code 0 <= left <= resizedWidth - cols}
   * @param rows rows of the window, at least 1
   * @param cols columns of the window, at least 1
   * @param channels 1 or 3
   * @param out receives {@code channels × rows × cols} floats from {@code offset}
   * @param offset where the window starts in {@code out}
   * @throws IllegalArgumentException if the image is not a valid grey or RGB image, the window
   *     does not fit, or a colour image is asked for as one channel
   */
  public static void resize(Image image, int resizedHeight, int resizedWidth, int top, int left,
      int rows, int cols, int channels, float[] out, int offset) {
    int h = image.height();
    int w = image.width();
    int c = image.channels();
    checkImage(image);
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("Output channels must be 1 or 3, got " + channels + ".");
    }
    if (channels == 1 && c == 3) {
      throw new IllegalArgumentException("A colour (RGB) image cannot be made into one channel;"
          + " ask for 3 channels.");
    }
    checkWindow(resizedHeight, resizedWidth, top, left, rows, cols);
    if (offset < 0 || (long) offset + (long) channels * rows * cols > out.length) {
      throw new IllegalArgumentException("Output array of " + out.length + " floats cannot hold "
          + channels + "x" + rows + "x" + cols + " floats from offset " + offset + ".");
    }
    // Source coordinates of the kept output rows and columns (PyTorch's float arithmetic).
    int[] y0 = new int[rows];
    int[] y1 = new int[rows];
    float[] fy = new float[rows];
    axis(h, resizedHeight, top, y0, y1, fy);
    int[] x0 = new int[cols];
    int[] x1 = new int[cols];
    float[] fx = new float[cols];
    axis(w, resizedWidth, left, x0, x1, fx);
    byte[] px = image.pixels();
    int plane = rows * cols;
    for (int ch = 0; ch < channels; ch++) {
      int src = c == 1 ? 0 : ch;
      int base = offset + ch * plane;
      for (int i = 0; i < rows; i++) {
        int r0 = y0[i] * w;
        int r1 = y1[i] * w;
        float ly = fy[i];
        for (int j = 0; j < cols; j++) {
          float p00 = (px[(r0 + x0[j]) * c + src] & 0xFF) / 255f;
          float p01 = (px[(r0 + x1[j]) * c + src] & 0xFF) / 255f;
          float p10 = (px[(r1 + x0[j]) * c + src] & 0xFF) / 255f;
          float p11 = (px[(r1 + x1[j]) * c + src] & 0xFF) / 255f;
          float lx = fx[j];
          out[base + i * cols + j] =
              (1 - ly) * ((1 - lx) * p00 + lx * p01) + ly * ((1 - lx) * p10 + lx * p11);
        }
      }
    }
  }

  /**
   * For output positions {@code first .. first + n - 1} of an axis resized from {@code in} to
   * {@code outSize}: the two source indices and the weight of the second.
   */
  private static void axis(int in, int outSize, int first, int[] i0, int[] i1, float[] lambda) {
    float scale = (float) in / outSize;
    for (int k = 0; k < i0.length; k++) {
      int o = first + k;
      if (in == outSize) {
        i0[k] = o;
        i1[k] = o;
        lambda[k] = 0;
        continue;
      }
      float src = scale * (o + 0.5f) - 0.5f;
      if (src < 0) {
        src = 0;
      }
      int lo = (int) src;
      i0[k] = lo;
      i1[k] = lo < in - 1 ? lo + 1 : lo;
      lambda[k] = src - lo;
    }
  }

  /** Throws unless {@code image} is a valid grey or RGB image (shared with the antialiased resize). */
  static void checkImage(Image image) {
    int h = image.height();
    int w = image.width();
    int c = image.channels();
    if (h < 1 || w < 1 || (c != 1 && c != 3) || image.pixels() == null
        || image.pixels().length != (long) h * w * c) {
      throw new IllegalArgumentException("Image of " + h + "x" + w + "x" + c + " with "
          + (image.pixels() == null ? "no" : image.pixels().length) + " pixel bytes is not a"
          + " valid grey or RGB image.");
    }
  }

  /** Throws unless the window fits in the resized image (shared with the antialiased resize). */
  static void checkWindow(int resizedHeight, int resizedWidth, int top, int left, int rows,
      int cols) {
    if (rows < 1 || cols < 1 || top < 0 || left < 0 || top + rows > resizedHeight
        || left + cols > resizedWidth) {
      throw new IllegalArgumentException("Window of " + rows + "x" + cols + " at (" + top + ", "
          + left + ") does not fit in the resized " + resizedHeight + "x" + resizedWidth
          + " image.");
    }
  }
}
