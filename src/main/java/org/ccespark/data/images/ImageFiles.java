package org.ccespark.data.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Decoding and encoding image files (PNG, JPEG) with {@code javax.imageio}. */
public final class ImageFiles {
  private ImageFiles() {}

  /**
   * Decodes a PNG or JPEG stream (any format {@code javax.imageio} reads): a greyscale image gives
   * 1 channel (16-bit samples keep their high byte), anything else 3 RGB channels (converted to
   * sRGB; alpha is dropped). CMYK and YCCK JPEGs, which {@code javax.imageio} cannot turn into an
   * image on Java 17, are converted to RGB by {@link JpegCmyk} (an approximation that ignores
   * any embedded ICC profile).
   *
   * @param in the encoded image, read but not closed
   * @param source names the image in messages, e.g. its file
   * @return the samples
   * @throws UncheckedIOException if the data is not a readable image; the message names {@code
   *     source}
   */
  public static Image decode(InputStream in, String source) {
    // An in-memory stream cache: ImageIO's default creates a temporary file per image. Closing it
    // leaves the underlying stream open.
    try (ImageInputStream iis = new MemoryCacheImageInputStream(in)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new UncheckedIOException(new IOException("Image file " + source
            + " is not in a format javax.imageio can read (PNG, JPEG, ...)."));
      }
      ImageReader reader = readers.next();
      try {
        // JPEG metadata tells a CMYK/YCCK file; other formats need none.
        reader.setInput(iis, true, !"jpeg".equalsIgnoreCase(reader.getFormatName()));
        if (JpegCmyk.isFourChannelJpeg(reader)) {
          return JpegCmyk.read(reader);
        }
        return toImage(reader.read(0));
      } finally {
        reader.dispose();
      }
    } catch (UncheckedIOException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(new IOException("Image file " + source
          + " is corrupt or not a PNG/JPEG image: " + e.getMessage(), e));
    }
  }

  /**
   * Converts a decoded image: greyscale stays 1 channel, anything else becomes sRGB with alpha
   * dropped.
   *
   * @param img the image
   * @return its samples
   */
  public static Image toImage(BufferedImage img) {
    int h = img.getHeight();
    int w = img.getWidth();
    boolean grey = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && !(img.getColorModel() instanceof IndexColorModel);
    if (grey) {
      Raster raster = img.getRaster();
      int bits = img.getColorModel().getComponentSize(0);
      int[] row = new int[w];
      byte[] px = new byte[h * w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          int v = bits > 8 ? row[x] >>> (bits - 8)
              : bits < 8 ? row[x] * 255 / ((1 << bits) - 1) : row[x];
          px[y * w + x] = (byte) v;
        }
      }
      return new Image(h, w, 1, px);
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    byte[] px = new byte[h * w * 3];
    for (int i = 0; i < argb.length; i++) {
      px[3 * i] = (byte) (argb[i] >>> 16);
      px[3 * i + 1] = (byte) (argb[i] >>> 8);
      px[3 * i + 2] = (byte) argb[i];
    }
    return new Image(h, w, 3, px);
  }

  /**
   * The image as a {@link BufferedImage}: 8-bit grey for 1 channel, 8-bit RGB for 3.
   *
   * @param image the samples
   * @return a new image
   */
  public static BufferedImage toBufferedImage(Image image) {
    int h = image.height();
    int w = image.width();
    byte[] px = image.pixels();
    if (image.channels() == 1) {
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      img.getRaster().setDataElements(0, 0, w, h, px);
      return img;
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] rgb = new int[h * w];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (px[3 * i] & 0xff) << 16 | (px[3 * i + 1] & 0xff) << 8 | (px[3 * i + 2] & 0xff);
    }
    img.setRGB(0, 0, w, h, rgb, 0, w);
    return img;
  }

  /**
   * Writes the image as PNG (lossless: {@link #decode} gives the same samples back).
   *
   * @param image the samples
   * @param out where to write; not closed
   * @throws UncheckedIOException if writing fails
   */
  public static void writePng(Image image, OutputStream out) {
    try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      if (!ImageIO.write(toBufferedImage(image), "png", ios)) {
        throw new IOException("no PNG writer in javax.imageio");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write a PNG image", e);
    }
  }
}
