package org.ccespark.deep;

/**
 * Training images for the deep trainer, by index: pixels as floats in {@code [0, 1]}, channel-major
 * ({@code C×H×W}), and an optional class label. The same index always gives the same image.
 */
public interface ImageSource {

  /** @return the number of images */
  int size();

  /** @return {@code C·H·W}, the floats of one image */
  int floatsPerImage();

  /**
   * Copies one image.
   *
   * @param index from 0 to {@code size() - 1}
   * @param dst receives {@code floatsPerImage()} floats in {@code [0, 1]}, channel-major
   * @param offset where in {@code dst}
   */
  void read(int index, float[] dst, int offset);

  /**
   * @param index from 0 to {@code size() - 1}
   * @return the image's class, or -1 when unknown
   */
  int label(int index);

  /**
   * An in-memory source.
   *
   * @param pixels {@code size × floatsPerImage} floats, image after image
   * @param labels one per image (-1 for unknown), or null when none is known
   * @param floatsPerImage {@code C·H·W}
   * @return the source (the arrays are not copied)
   */
  static ImageSource of(float[] pixels, int[] labels, int floatsPerImage) {
    if (floatsPerImage <= 0 || pixels.length % floatsPerImage != 0) {
      throw new IllegalArgumentException("Pixel array of length " + pixels.length
          + " is not a whole number of images of " + floatsPerImage + " floats.");
    }
    int n = pixels.length / floatsPerImage;
    if (labels != null && labels.length != n) {
      throw new IllegalArgumentException("There are " + n + " images but " + labels.length
          + " labels.");
    }
    return new ImageSource() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public int floatsPerImage() {
        return floatsPerImage;
      }

      @Override
      public void read(int index, float[] dst, int offset) {
        System.arraycopy(pixels, index * floatsPerImage, dst, offset, floatsPerImage);
      }

      @Override
      public int label(int index) {
        return labels == null ? -1 : labels[index];
      }
    };
  }
}
