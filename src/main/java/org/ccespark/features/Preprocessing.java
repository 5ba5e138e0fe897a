package org.ccespark.features;

import java.io.Serializable;
import org.ccespark.data.images.Image;

/**
 * The preprocessing an ImageNet CNN expects, as torchvision's {@code Resize(resize)},
 * {@code CenterCrop(inputSize)}, {@code Normalize(mean, std)} do it: pixels scaled to [0, 1]; a
 * grey image repeated into three channels; the shorter side resized to {@code resize} (the longer
 * one to {@code floor(resize * long / short)}) by bilinear interpolation with half-pixel centres
 * and no antialiasing (PyTorch's {@code interpolate(mode="bilinear", align_corners=False)}); the
 * centre {@code inputSize × inputSize} square cut out (offsets rounded half to even, as Python's
 * {@code round}); each channel normalised with ImageNet's mean and standard deviation. The result
 * is channel-major ({@code CHW}), RGB, float. Reproduced in {@code src/tools/make-test-cnn.py} and
 * checked against PyTorch by the tests.
 *
 * <p>Without antialiasing, shrinking a large photograph by more than about 2× skips pixels; the
 * paper's inputs (MNIST, CIFAR, STL-10) are all enlarged.
 *
 * @param inputSize side of the square the model sees, at least 1
 * @param resize side the shorter image side is resized to, at least {@code inputSize}
 */
public record Preprocessing(int inputSize, int resize) implements Serializable {
  /** ImageNet's per-channel mean (RGB). */
  public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  /** ImageNet's per-channel standard deviation (RGB). */
  public static final float[] STD = {0.229f, 0.224f, 0.225f};

  /** Checks the sizes. */
  public Preprocessing {
    if (inputSize < 1) {
      throw new IllegalArgumentException("Input size must be at least 1, got " + inputSize + ".");
    }
    if (resize < inputSize) {
      throw new IllegalArgumentException("Resize (" + resize + ") must be at least the input size ("
          + inputSize + ").");
    }
  }

  /** The usual ratio: resize to {@code round(inputSize * 256 / 224)}, then crop. */
  public static Preprocessing of(int inputSize) {
    return new Preprocessing(inputSize, (int) Math.round(inputSize * 256.0 / 224.0));
  }

  /** Floats per preprocessed image: {@code 3 × inputSize²}. */
  public int floatsPerImage() {
    return 3 * inputSize * inputSize;
  }

  /**
   * Writes the preprocessed image into {@code out[offset, offset + floatsPerImage())}.
   *
   * @throws IllegalArgumentException if the image is empty, its pixel count does not match its
   *     shape, or it has other than 1 or 3 channels
   */
  public void apply(Image image, float[] out, int offset) {
    int h = image.height();
    int w = image.width();
    int c = image.channels();
    if (h < 1 || w < 1 || (c != 1 && c != 3) || image.pixels() == null
        || image.pixels().length != (long) h * w * c) {
      throw new IllegalArgumentException("Image of " + h + "x" + w + "x" + c + " with "
          + (image.pixels() == null ? "no" : image.pixels().length) + " pixel bytes is not a"
          + " valid grey or RGB image.");
    }
    int nh;
    int nw;
    if (h <= w) {
      nh = resize;
      nw = (int) ((long) resize * w / h);
    } else {
      nh = (int) ((long) resize * h / w);
      nw = resize;
    }
    int top = (int) Math.rint((nh - inputSize) / 2.0);
    int left = (int) Math.rint((nw - inputSize) / 2.0);
    // Source coordinates of the kept output rows and columns (PyTorch's float arithmetic).
    int[] y0 = new int[inputSize];
    int[] y1 = new int[inputSize];
    float[] fy = new float[inputSize];
    axis(h, nh, top, y0, y1, fy);
    int[] x0 = new int[inputSize];
    int[] x1 = new int[inputSize];
    float[] fx = new float[inputSize];
    axis(w, nw, left, x0, x1, fx);
    byte[] px = image.pixels();
    int plane = inputSize * inputSize;
    for (int ch = 0; ch < 3; ch++) {
      int src = c == 1 ? 0 : ch;
      float mean = MEAN[ch];
      float std = STD[ch];
      int base = offset + ch * plane;
      for (int i = 0; i < inputSize; i++) {
        int r0 = y0[i] * w;
        int r1 = y1[i] * w;
        float ly = fy[i];
        for (int j = 0; j < inputSize; j++) {
          float p00 = (px[(r0 + x0[j]) * c + src] & 0xFF) / 255f;
          float p01 = (px[(r0 + x1[j]) * c + src] & 0xFF) / 255f;
          float p10 = (px[(r1 + x0[j]) * c + src] & 0xFF) / 255f;
          float p11 = (px[(r1 + x1[j]) * c + src] & 0xFF) / 255f;
          float lx = fx[j];
          float v = (1 - ly) * ((1 - lx) * p00 + lx * p01) + ly * ((1 - lx) * p10 + lx * p11);
          out[base + i * inputSize + j] = (v - mean) / std;
        }
      }
    }
  }

  /** The preprocessed image as a new array. */
  public float[] apply(Image image) {
    float[] out = new float[floatsPerImage()];
    apply(image, out, 0);
    return out;
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
}
