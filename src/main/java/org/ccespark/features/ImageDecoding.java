package org.ccespark.features;

import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import org.apache.spark.sql.Row;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageFiles;

/**
 * Turns the image values a DataFrame may hold into {@link Image}s: encoded bytes or files (JPEG,
 * PNG, decoded by {@link ImageFiles}) and rows of Spark's image data source ({@code origin,
 * height, width, nChannels, mode, data}, pixels in OpenCV's BGR(A) order).
 */
public final class ImageDecoding {
  private ImageDecoding() {}

  /**
   * Decodes an encoded image.
   *
   * @param bytes the file's content
   * @param name the file, for the message
   * @throws IllegalArgumentException naming the file if it is not a readable image
   */
  public static Image decode(byte[] bytes, String name) {
    try {
      return ImageFiles.decode(new ByteArrayInputStream(bytes), name);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(e.getCause().getMessage(), e);
    }
  }


  /**
   * Converts a row of Spark's image schema to an image: BGR becomes RGB, BGRA drops alpha, grey
   * stays grey.
   *
   * @throws IllegalArgumentException for an invalid row (Spark marks undecodable files with
   *     {@code nChannels} or size -1 when {@code dropInvalid} is false)
   */
  public static Image fromSparkImage(Row row) {
    String origin = row.getAs("origin");
    int h = row.<Integer>getAs("height");
    int w = row.<Integer>getAs("width");
    int c = row.<Integer>getAs("nChannels");
    byte[] data = row.getAs("data");
    if (h < 1 || w < 1 || (c != 1 && c != 3 && c != 4) || data == null
        || data.length != (long) h * w * c) {
      throw new IllegalArgumentException("'" + origin + "' is not a readable image (Spark's image"
          + " source gave " + h + "x" + w + "x" + c + ").");
    }
    if (c == 1) {
      return new Image(h, w, 1, data.clone());
    }
    byte[] px = new byte[h * w * 3];
    for (int k = 0; k < h * w; k++) {
      px[3 * k] = data[k * c + 2];
      px[3 * k + 1] = data[k * c + 1];
      px[3 * k + 2] = data[k * c];
    }
    return new Image(h, w, 3, px);
  }
}
