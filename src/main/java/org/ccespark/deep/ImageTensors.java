package org.ccespark.deep;

import java.util.Arrays;
import java.util.List;
import org.ccespark.data.images.Image;
import org.ccespark.features.BilinearResize;

/**
 * Images as the network's input: float {@code C × H × W} (channel-major) in [0, 1], then
 * normalised per channel with the mean and standard deviation of the training images, as
 * torchvision's {@code ToTensor()} followed by {@code Normalize(mean, std)} does in the paper's
 * training code (appendix E.2 does not give the statistics; they are computed from the data).
 *
 * <p>An image of another size is resized to {@code H × W} by {@link BilinearResize} (PyTorch's
 * bilinear interpolation, {@code align_corners=False}); the aspect ratio is not kept (the paper's
 * datasets are square). A grey image asked for as three channels is repeated into each; a colour
 * image cannot be asked for as one channel.
 */
public final class ImageTensors {
  /** A standard deviation at most this is taken as no spread (see {@link ChannelStatistics}). */
  private static final double MIN_STD = 1e-6;

  private ImageTensors() {}

  /**
   * Writes the image as {@code channels × height × width} floats in [0, 1] into {@code out} from
   * {@code offset} (sample / 255, resized if its size differs).
   *
   * @param image the image
   * @param channels 1 or 3
   * @param height rows wanted, at least 1
   * @param width columns wanted, at least 1
   * @param out the array to write to
   * @param offset where the image starts in {@code out}
   * @throws IllegalArgumentException for a size below 1, a colour image asked for as one channel,
   *     or an output array too small
   */
  public static void toChw(Image image, int channels, int height, int width, float[] out,
      int offset) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("Image tensor size must be positive, got " + height
          + " x " + width + ".");
    }
    BilinearResize.resize(image, height, width, 0, 0, height, width, channels, out, offset);
  }

  /**
   * The image as a new {@code channels × height × width} float array in [0, 1].
   *
   * @param image the image
   * @param channels 1 or 3
   * @param height rows wanted
   * @param width columns wanted
   * @return the floats
   * @throws IllegalArgumentException as {@link #toChw(Image, int, int, int, float[], int)}
   */
  public static float[] toChw(Image image, int channels, int height, int width) {
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(channels, height), width)];
    toChw(image, channels, height, width, out, 0);
    return out;
  }

  /**
   * Per-channel mean and standard deviation of images, for {@code Normalize(mean, std)}.
   *
   * @param mean the mean of each channel
   * @param std the standard deviation of each channel, positive and finite
   */
  public record ChannelStatistics(float[] mean, float[] std) {
    /**
     * Checks and copies the arrays.
     *
     * @throws IllegalArgumentException if the lengths differ or are 0, a mean is not finite, or a
     *     standard deviation is not positive and finite
     */
    public ChannelStatistics {
      if (mean.length == 0 || mean.length != std.length) {
        throw new IllegalArgumentException("Channel statistics need one mean and one standard"
            + " deviation per channel, got " + mean.length + " and " + std.length + ".");
      }
      mean = mean.clone();
      std = std.clone();
      for (int c = 0; c < mean.length; c++) {
        if (!Float.isFinite(mean[c])) {
          throw new IllegalArgumentException("Mean of channel " + c + " is " + mean[c] + ".");
        }
        if (!(std[c] > 0) || Float.isInfinite(std[c])) {
          throw new IllegalArgumentException("Standard deviation of channel " + c
              + " must be positive and finite, got " + std[c] + ".");
        }
      }
    }

    /**
     * The mean (a copy).
     *
     * @return the mean of each channel
     */
    @Override
    public float[] mean() {
      return mean.clone();
    }

    /**
     * The standard deviation (a copy).
     *
     * @return the standard deviation of each channel
     */
    @Override
    public float[] std() {
      return std.clone();
    }

    /**
     * Number of channels.
     *
     * @return the length of the mean
     */
    public int channels() {
      return mean.length;
    }

    /**
     * The statistics of a batch of {@code count} images of {@code channels × height × width}
     * floats: over all pixels of all images, the mean and the population standard deviation
     * (divided by the number of pixels), accumulated in double. A channel with no spread (standard
     * deviation at most {@code 1e-6}, that is constant up to rounding) gets standard deviation 1,
     * so that normalising only centres it.
     *
     * @param batch {@code count × channels × height × width} floats, image after image
     * @param count number of images, at least 1
     * @param channels channels per image, at least 1
     * @param height rows per image, at least 1
     * @param width columns per image, at least 1
     * @return the statistics
     * @throws IllegalArgumentException if a size is below 1 or the batch has another length
     */
    public static ChannelStatistics of(float[] batch, int count, int channels, int height,
        int width) {
      int plane = checkBatch(batch, count, channels, height, width);
      double[] sum = new double[channels];
      double[] squares = new double[channels];
      for (int i = 0; i < count; i++) {
        accumulate(batch, i * channels * plane, channels, plane, sum, squares);
      }
      return finish(sum, squares, (double) count * plane);
    }

    /**
     * The statistics of images converted by {@link ImageTensors#toChw} to {@code channels ×
     * height × width} (one image in memory at a time).
     *
     * @param images the images, at least one
     * @param channels 1 or 3
     * @param height rows
     * @param width columns
     * @return the statistics
     * @throws IllegalArgumentException if there are no images, or as {@link ImageTensors#toChw}
     */
    public static ChannelStatistics of(List<Image> images, int channels, int height, int width) {
      if (images.isEmpty()) {
        throw new IllegalArgumentException("Channel statistics need at least one image.");
      }
      int plane = Math.multiplyExact(height, width);
      float[] one = new float[Math.multiplyExact(channels, plane)];
      double[] sum = new double[channels];
      double[] squares = new double[channels];
      for (Image image : images) {
        toChw(image, channels, height, width, one, 0);
        accumulate(one, 0, channels, plane, sum, squares);
      }
      return finish(sum, squares, (double) images.size() * plane);
    }

    /**
     * The statistics of the images of a source, read one at a time.
     *
     * @param images the images, at least one
     * @param channels channels per image; {@code images.floatsPerImage()} must be a multiple
     * @return the statistics
     */
    public static ChannelStatistics of(ImageSource images, int channels) {
      int floats = images.floatsPerImage();
      if (images.size() < 1 || channels < 1 || floats % channels != 0) {
        throw new IllegalArgumentException("Channel statistics need at least one image of whole"
            + " channels, got " + images.size() + " images of " + floats + " floats for "
            + channels + " channels.");
      }
      int plane = floats / channels;
      float[] one = new float[floats];
      double[] sum = new double[channels];
      double[] squares = new double[channels];
      for (int i = 0; i < images.size(); i++) {
        images.read(i, one, 0);
        accumulate(one, 0, channels, plane, sum, squares);
      }
      return finish(sum, squares, (double) images.size() * plane);
    }

    /** Adds one image's per-channel sums of values and of squares. */
    private static void accumulate(float[] data, int offset, int channels, int plane,
        double[] sum, double[] squares) {
      for (int c = 0; c < channels; c++) {
        int base = offset + c * plane;
        double s = 0;
        double q = 0;
        for (int k = base; k < base + plane; k++) {
          double x = data[k];
          s += x;
          q += x * x;
        }
        sum[c] += s;
        squares[c] += q;
      }
    }

    /** Mean and population standard deviation (1 for a channel with no spread) of n values. */
    private static ChannelStatistics finish(double[] sum, double[] squares, double n) {
      float[] mean = new float[sum.length];
      float[] std = new float[sum.length];
      for (int c = 0; c < sum.length; c++) {
        double m = sum[c] / n;
        double sd = Math.sqrt(Math.max(0, squares[c] / n - m * m));
        mean[c] = (float) m;
        std[c] = sd > MIN_STD ? (float) sd : 1f;
      }
      return new ChannelStatistics(mean, std);
    }

    /**
     * Normalises a batch in place: {@code x = (x − mean[c]) / std[c]} for every pixel of channel
     * {@code c} of every image (torchvision's {@code Normalize}).
     *
     * @param batch {@code count × channels() × height × width} floats, image after image
     * @param count number of images
     * @param height rows per image
     * @param width columns per image
     * @throws IllegalArgumentException if the batch has another length
     */
    public void normalize(float[] batch, int count, int height, int width) {
      int plane = checkBatch(batch, count, mean.length, height, width);
      for (int i = 0; i < count; i++) {
        for (int c = 0; c < mean.length; c++) {
          float m = mean[c];
          float s = std[c];
          int base = (i * mean.length + c) * plane;
          for (int k = base; k < base + plane; k++) {
            batch[k] = (batch[k] - m) / s;
          }
        }
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ChannelStatistics s && Arrays.equals(s.mean, mean)
          && Arrays.equals(s.std, std);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
      return "ChannelStatistics[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std)
          + "]";
    }
  }

  /** Checks a batch's sizes; returns the pixels per channel. */
  private static int checkBatch(float[] batch, int count, int channels, int height, int width) {
    if (count < 1 || channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("Batch sizes must be positive, got " + count
          + " images of " + channels + " x " + height + " x " + width + ".");
    }
    long expected = (long) count * channels * height * width;
    if (batch.length != expected) {
      throw new IllegalArgumentException("A batch of " + count + " images of " + channels + " x "
          + height + " x " + width + " needs " + expected + " floats, got " + batch.length + ".");
    }
    return height * width;
  }
}
