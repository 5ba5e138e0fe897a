package org.ccespark.data.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * CMYK and YCCK JPEGs decode to colours close to the RGB original. Plain {@code javax.imageio}
 * fails on them on older Java 17 builds ("Unsupported Image Type"); on 17.0.15 {@code
 * ImageIO.read} and {@code getRGB} (the decoding used before) give a mean difference of 52.7 (max
 * 75) on these fixtures, so the tolerance below fails without {@link JpegCmyk}.
 *
 * <p>Fixtures (in {@code src/test/resources/org/ccespark/data/images/}), made with Debian's tools:
 *
 * <pre>
 * convert -size 48x32 xc: -sparse-color bilinear '0,0 red 47,0 yellow 0,31 blue 47,31 green' \
 *     -define png:exclude-chunks=date,time cmyk-original.png           # ImageMagick 6.9.11
 * convert cmyk-original.png -colorspace CMYK -quality 95 ycck-imagemagick.jpg
 *     # libjpeg YCCK: Adobe APP14 marker, transform 2, inverted samples; K from min(C, M, Y)
 * /usr/bin/python3 -c "from PIL import Image; Image.open('cmyk-original.png').convert('RGB')
 *     .convert('CMYK').save('cmyk-pillow.jpg', quality=95)"            # Pillow 9.4 (python3-pil)
 *     # plain CMYK: Adobe APP14 marker, transform 0, inverted samples; K = 0
 * </pre>
 *
 * <p>Both conversions to CMYK are the naive ones (no ICC profile) that {@link JpegCmyk} inverts,
 * so the only difference left is JPEG's loss (quality 95, chroma of YCCK not subsampled).
 */
class JpegCmykTest {
  private static final String DIR = "/org/ccespark/data/images/";

  static Image decodeResource(String name) throws IOException {
    try (InputStream in = JpegCmykTest.class.getResourceAsStream(DIR + name)) {
      return ImageFiles.decode(in, name);
    }
  }

  /**
   * Tolerance, per sample in 0..255: mean absolute difference at most 1.5, largest at most 10.
   * Measured: YCCK (ImageMagick) mean 0.55, max 3; CMYK (Pillow) mean 0.28, max 2. Decoding the
   * samples without inverting them (ignoring the Adobe marker) gives a mean difference of 93 and
   * 96, and skipping the YCCK transform 60, so both parts of the conversion are checked.
   */
  @ParameterizedTest
  @ValueSource(strings = {"ycck-imagemagick.jpg", "cmyk-pillow.jpg"})
  void fourChannelJpegsDecodeCloseToTheRgbOriginal(String file) throws IOException {
    Image original = decodeResource("cmyk-original.png");
    Image decoded = decodeResource(file);
    assertEquals(3, original.channels());
    assertEquals(3, decoded.channels());
    assertEquals(original.height(), decoded.height());
    assertEquals(original.width(), decoded.width());
    byte[] a = original.pixels();
    byte[] b = decoded.pixels();
    long sum = 0;
    int max = 0;
    for (int i = 0; i < a.length; i++) {
      int d = Math.abs((a[i] & 0xff) - (b[i] & 0xff));
      sum += d;
      max = Math.max(max, d);
    }
    double mean = (double) sum / a.length;
    System.out.printf("%s: mean |difference| %.2f, max %d%n", file, mean, max);
    assertTrue(mean <= 1.5, file + ": mean difference " + mean);
    assertTrue(max <= 10, file + ": largest difference " + max);
  }

  private static int byteOf(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }

  /** The raw conversion, on samples whose RGB is known exactly. */
  @Test
  void inkToRgbWithAndWithoutTheAdobeMarker() {
    // (C, M, Y, K) ink: no ink, full cyan, half black, red (M + Y)
    int[][] ink = {{0, 0, 0, 0}, {255, 0, 0, 0}, {0, 0, 0, 128}, {0, 255, 255, 0}};
    byte[] expected = {(byte) 255, (byte) 255, (byte) 255, 0, (byte) 255, (byte) 255,
        127, 127, 127, (byte) 255, 0, 0};
    WritableRaster plain = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 4, 1, 4, null);
    WritableRaster inverted = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 4, 1, 4, null);
    for (int x = 0; x < 4; x++) {
      for (int c = 0; c < 4; c++) {
        plain.setSample(x, 0, c, ink[x][c]);
        inverted.setSample(x, 0, c, 255 - ink[x][c]);
      }
    }
    assertArrayEquals(expected, JpegCmyk.toRgb(plain, false, false).pixels());
    assertArrayEquals(expected, JpegCmyk.toRgb(inverted, true, false).pixels());
    // YCCK of the inverted samples: the YCbCr of (255 - C', 255 - M', 255 - Y') where ' marks the
    // stored (inverted) sample, i.e. the YCbCr of the ink itself
    WritableRaster ycck = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 4, 1, 4, null);
    for (int x = 0; x < 4; x++) {
      double r = ink[x][0];
      double g = ink[x][1];
      double b = ink[x][2];
      ycck.setSample(x, 0, 0, byteOf(0.299 * r + 0.587 * g + 0.114 * b));
      ycck.setSample(x, 0, 1, byteOf(128 - 0.168736 * r - 0.331264 * g + 0.5 * b));
      ycck.setSample(x, 0, 2, byteOf(128 + 0.5 * r - 0.418688 * g - 0.081312 * b));
      ycck.setSample(x, 0, 3, 255 - ink[x][3]);
    }
    byte[] fromYcck = JpegCmyk.toRgb(ycck, true, true).pixels();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i] & 0xff, fromYcck[i] & 0xff, 2.0, "sample " + i);
    }
  }
}
