package org.ccespark.data.images;

import java.awt.image.Raster;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Node;

/**
 * Four-channel (CMYK and YCCK) JPEGs. {@code javax.imageio} cannot be relied on for them: older
 * Java 17 builds fail with "Unsupported Image Type", and newer ones (measured on 17.0.15) return a
 * CMYK image whose {@code getRGB} colours are far off (mean difference 52 of 255 on the test
 * fixtures). Its raw {@link Raster} ({@code readRaster}) holds the samples as stored, on every
 * build; this class converts them to RGB as common photo tools do:
 *
 * <ul>
 *   <li>YCCK (Adobe APP14 marker with transform 2) is first turned back into CMYK samples: Y, Cb,
 *       Cr to R, G, B with the JFIF (BT.601) equations, then C = 255 - R, M = 255 - G, Y = 255 -
 *       B; K is unchanged (libjpeg's {@code ycck_cmyk_convert}).
 *   <li>Files with an Adobe APP14 marker (Photoshop, ImageMagick, libjpeg's CMYK encoder) store
 *       every sample inverted (255 = no ink); files without it store ink amounts. So the ink is
 *       {@code 255 - sample} with the marker and {@code sample} without it.
 *   <li>Ink to RGB by the naive formula R = 255 (1 - C/255)(1 - K/255), likewise G with M and B
 *       with Y.
 * </ul>
 *
 * <p>The naive formula is an approximation: an embedded ICC profile (for example a press profile
 * such as SWOP or FOGRA) is ignored, so colours can differ from a colour-managed viewer's by a
 * visible amount (mainly duller or brighter saturated colours), but hues, lightness and edges,
 * which is what image features look at, are kept. It is the exact inverse of the conversion
 * ImageMagick applies without profiles ({@code -colorspace CMYK}).
 */
final class JpegCmyk {
  private static final String NATIVE_FORMAT = "javax_imageio_jpeg_image_1.0";

  private JpegCmyk() {}

  /**
   * Whether the reader's image 0 is a JPEG frame of four components.
   *
   * @param reader a reader whose input is set, with metadata not ignored
   * @return false for other formats and for 1- or 3-component JPEGs
   * @throws IOException if the header cannot be read
   */
  static boolean isFourChannelJpeg(ImageReader reader) throws IOException {
    if (!"jpeg".equalsIgnoreCase(reader.getFormatName())) {
      return false;
    }
    Node sof = find(nativeTree(reader), "sof");
    if (sof == null) {
      return false;
    }
    Node n = sof.getAttributes().getNamedItem("numFrameComponents");
    return n != null && n.getNodeValue().trim().equals("4");
  }

  /**
   * Reads image 0 of a four-component JPEG and converts it to RGB.
   *
   * @param reader a reader for which {@link #isFourChannelJpeg} is true
   * @return 3 RGB channels
   * @throws IOException if the data cannot be decoded
   */
  static Image read(ImageReader reader) throws IOException {
    Node adobe = find(nativeTree(reader), "app14Adobe");
    int transform = -1;
    if (adobe != null) {
      Node t = adobe.getAttributes().getNamedItem("transform");
      transform = t == null ? 0 : Integer.parseInt(t.getNodeValue().trim());
    }
    Raster raster = reader.readRaster(0, null);
    if (raster.getNumBands() != 4) {
      throw new IOException("a four-component JPEG gave " + raster.getNumBands() + " bands");
    }
    return toRgb(raster, adobe != null, transform == 2);
  }

  /**
   * Converts the stored samples of a four-component JPEG to RGB.
   *
   * @param raster the samples as stored (4 bands, 8 bits)
   * @param adobe whether the file has an Adobe APP14 marker (inverted samples)
   * @param ycck whether the samples are YCCK (APP14 transform 2)
   * @return 3 RGB channels
   */
  static Image toRgb(Raster raster, boolean adobe, boolean ycck) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int x0 = raster.getMinX();
    int y0 = raster.getMinY();
    int[] row = new int[w * 4];
    byte[] px = new byte[h * w * 3];
    for (int y = 0; y < h; y++) {
      raster.getPixels(x0, y0 + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int c = row[4 * x];
        int m = row[4 * x + 1];
        int ye = row[4 * x + 2];
        int k = row[4 * x + 3];
        if (ycck) {
          double luma = c;
          double cb = m - 128.0;
          double cr = ye - 128.0;
          c = 255 - clamp(luma + 1.402 * cr);
          m = 255 - clamp(luma - 0.344136 * cb - 0.714136 * cr);
          ye = 255 - clamp(luma + 1.772 * cb);
        }
        if (adobe) {
          c = 255 - c;
          m = 255 - m;
          ye = 255 - ye;
          k = 255 - k;
        }
        int o = 3 * (y * w + x);
        px[o] = (byte) ((255 - c) * (255 - k) / 255.0 + 0.5);
        px[o + 1] = (byte) ((255 - m) * (255 - k) / 255.0 + 0.5);
        px[o + 2] = (byte) ((255 - ye) * (255 - k) / 255.0 + 0.5);
      }
    }
    return new Image(h, w, 3, px);
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }

  private static Node nativeTree(ImageReader reader) throws IOException {
    IIOMetadata meta = reader.getImageMetadata(0);
    if (meta == null) {
      return null;
    }
    for (String f : meta.getMetadataFormatNames()) {
      if (NATIVE_FORMAT.equals(f)) {
        return meta.getAsTree(NATIVE_FORMAT);
      }
    }
    return null;
  }

  /** The first element named {@code name} in the tree, depth first, or null. */
  private static Node find(Node node, String name) {
    if (node == null) {
      return null;
    }
    if (name.equals(node.getNodeName())) {
      return node;
    }
    for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
      Node found = find(child, name);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
