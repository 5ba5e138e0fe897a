package org.ccespark.features;

import java.io.Serializable;
import org.ccespark.data.images.Image;

/**
 * The preprocessing an ImageNet CNN expects, exactly as torchvision's preset transforms of the
 * ResNet-50 weights ({@code ResNet50_Weights.IMAGENET1K_V2.transforms()}: {@code Resize(232)},
 * {@code CenterCrop(224)}, {@code Normalize(mean, std)}) do it to a PIL image: a grey image
 * repeated into three channels; the shorter side resized to {@code resize} (the longer one to
 * {@code floor(resize * long / short)}) with Pillow's bilinear filter, which antialiases when
 * shrinking and rounds to 8 bits ({@link AntialiasedResize}); the centre
 * {@code inputSize × inputSize} square cut out (offsets rounded half to even, as Python's
 * {@code round}); pixels scaled to [0, 1]; each channel normalised with ImageNet's mean and
 * standard deviation. The result is channel-major ({@code CHW}), RGB, float. {@code
 * PreprocessingTest} compares it with torchvision's output ({@code
 * src/tools/make-preprocessing-reference.py}).
 *
 * <p>{@link #of} uses the ratio of the IMAGENET1K_V2 weights (232 for 224); the older
 * IMAGENET1K_V1 weights were evaluated with 256 ({@code new Preprocessing(224, 256)}).
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

  /** Side the shorter image side is resized to for a 224 crop (torchvision's IMAGENET1K_V2). */
  public static final int RESIZE_FOR_224 = 232;

  /**
   * The default resize for {@code inputSize}: {@code round(inputSize * 232 / 224)} (232 for
   * 224), the ratio of the IMAGENET1K_V2 weights' transforms.
   */
  public static int defaultResize(int inputSize) {
    return (int) Math.round(inputSize * (double) RESIZE_FOR_224 / 224.0);
  }

  /** The default ratio: resize to {@link #defaultResize}, then crop. */
  public static Preprocessing of(int inputSize) {
    return new Preprocessing(inputSize, defaultResize(inputSize));
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
    AntialiasedResize.resize(image, nh, nw, top, left, inputSize, inputSize, out, offset);
    int plane = inputSize * inputSize;
    for (int ch = 0; ch < 3; ch++) {
      float mean = MEAN[ch];
      float std = STD[ch];
      int base = offset + ch * plane;
      for (int k = base; k < base + plane; k++) {
        out[k] = (out[k] - mean) / std;
      }
    }
  }

  /** The preprocessed image as a new array. */
  public float[] apply(Image image) {
    float[] out = new float[floatsPerImage()];
    apply(image, out, 0);
    return out;
  }
}
