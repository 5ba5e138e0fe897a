package org.ccespark.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageFiles;
import org.junit.jupiter.api.Test;

/**
 * The preprocessing gives what torchvision's preset transforms of the ResNet-50 weights give
 * (torchvision 0.14, Pillow 9.4; {@code src/tools/make-preprocessing-reference.py}): a 600×400
 * RGB image shrunk (where antialiasing matters) with the IMAGENET1K_V2 (232) and V1 (256) sizes,
 * and a 45×30 grey image enlarged. The fixtures are PNG files, which Java and PIL decode to the
 * same bytes.
 */
class PreprocessingTest {
  /**
   * Largest difference accepted, in normalised units. The resize reproduces Pillow's integer
   * arithmetic, so the measured difference is 0 (the same bytes, then the same float32
   * operations); an off-by-one byte anywhere would be about 0.017 (1/255 / 0.229).
   */
  private static final double TOLERANCE = 1e-6;

  private static JsonNode reference() throws IOException {
    try (InputStream in = resource("reference.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = PreprocessingTest.class.getResourceAsStream("torchvision/" + name);
    if (in == null) {
      throw new IllegalStateException("Test resource torchvision/" + name + " is missing.");
    }
    return in;
  }

  private static float[] tensor(String name, int n) throws IOException {
    byte[] bytes = new byte[4 * n];
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(resource(name)))) {
      in.readFully(bytes);
      assertEquals(-1, in.read(), name + " has more than " + n + " floats");
    }
    float[] out = new float[n];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  @Test
  void matchesTorchvisionPresetTransforms() throws IOException {
    JsonNode cases = reference().get("cases");
    assertEquals(3, cases.size());
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      Image image;
      try (InputStream in = resource(c.get("image").asText())) {
        image = ImageFiles.decode(in, c.get("image").asText());
      }
      assertEquals(c.get("width").asInt(), image.width(), name);
      assertEquals(c.get("height").asInt(), image.height(), name);
      int crop = c.get("crop").asInt();
      Preprocessing p = new Preprocessing(crop, c.get("resize").asInt());
      float[] actual = p.apply(image);
      float[] expected = tensor(name + ".f32.gz", 3 * crop * crop);
      double max = 0;
      double sum = 0;
      for (int k = 0; k < actual.length; k++) {
        max = Math.max(max, Math.abs(actual[k] - expected[k]));
        sum += actual[k];
      }
      assertTrue(max <= TOLERANCE, name + ": max abs difference " + max);
      assertEquals(c.get("sum").asDouble(), sum, 1e-3, name + ": sum");
    }
  }

  @Test
  void defaultResizeIsTheImagenet1kV2Ratio() {
    assertEquals(232, Preprocessing.of(224).resize());
    assertEquals(99, Preprocessing.of(96).resize());
    assertEquals(25, Preprocessing.of(24).resize());
  }

  @Test
  void shrinkingAveragesInsteadOfSkippingPixels() {
    // Vertical stripes one pixel wide (0, 255, 0, ...) shrunk 4x: every output pixel averages
    // eight columns, never 0 or 255 as a resize that skips pixels gives. Pillow 9.4 gives the row
    // 118, 128, ..., 128, 137 (its borders renormalise a truncated filter).
    int w = 64;
    byte[] px = new byte[w * w];
    for (int y = 0; y < w; y++) {
      for (int x = 0; x < w; x++) {
        px[y * w + x] = (byte) (x % 2 == 0 ? 0 : 255);
      }
    }
    float[] out = new float[3 * 16 * 16];
    AntialiasedResize.resize(new Image(w, w, 1, px), 16, 16, 0, 0, 16, 16, out, 0);
    for (int ch = 0; ch < 3; ch++) {
      for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
          int expected = j == 0 ? 118 : j == 15 ? 137 : 128;
          assertEquals(expected / 255f, out[ch * 256 + i * 16 + j], 0f, "pixel " + i + "," + j);
        }
      }
    }
  }

  @Test
  void sameSizeIsAnExactCopy() {
    Image img = TinyCnn.synthetic(1, 20, 30, 3);
    float[] out = new float[3 * 10 * 12];
    AntialiasedResize.resize(img, 20, 30, 4, 7, 10, 12, out, 0);
    for (int ch = 0; ch < 3; ch++) {
      for (int i = 0; i < 10; i++) {
        for (int j = 0; j < 12; j++) {
          assertEquals(TinyCnn.pixel(1, 4 + i, 7 + j, ch) / 255f, out[ch * 120 + i * 12 + j]);
        }
      }
    }
  }
}
