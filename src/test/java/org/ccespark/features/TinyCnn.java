package org.ccespark.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.ccespark.data.images.Image;

/**
 * The TorchScript test model made by {@code src/tools/make-test-cnn.py} and the outputs PyTorch
 * computed for it, plus the synthetic images both sides generate from the same formula.
 */
final class TinyCnn {
  private TinyCnn() {}

  /** Side of the square the test model is fed, and the resize used by the script. */
  static final int INPUT_SIZE = 32;
  static final int RESIZE = 36;
  /** Feature dimension of forward's first output. */
  static final int DIMENSION = 16;

  static String path() {
    try {
      Path p = Paths.get(TinyCnn.class.getResource("tiny-cnn.pt").toURI());
      return p.toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code tiny-classifier.pt}: forward gives 1000 "class scores", {@code features} 8 values. */
  static String classifierPath() {
    try {
      return Paths.get(TinyCnn.class.getResource("tiny-classifier.pt").toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode expected() {
    try (InputStream in = TinyCnn.class.getResourceAsStream("tiny-cnn-expected.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ModelSpec spec(String layer) {
    return new ModelSpec(path(), layer, new Preprocessing(INPUT_SIZE, RESIZE), "cpu", 0);
  }

  /** The script's pixel formula. */
  static int pixel(int i, int y, int x, int c) {
    return (7 * y + 13 * x + 29 * c + 31 * i + (x * y) % 17) % 256;
  }

  static Image synthetic(int i, int h, int w, int channels) {
    byte[] px = new byte[h * w * channels];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < channels; c++) {
          px[(y * w + x) * channels + c] = (byte) pixel(i, y, x, c);
        }
      }
    }
    return new Image(h, w, channels, px);
  }

  static void assertClose(JsonNode expected, float[] actual, double tol, String what) {
    assertEquals(expected.size(), actual.length, what + ": length");
    for (int j = 0; j < actual.length; j++) {
      double e = expected.get(j).asDouble();
      if (Math.abs(e - actual[j]) > tol * Math.max(1, Math.abs(e))) {
        throw new AssertionError(what + "[" + j + "]: expected " + e + ", got " + actual[j]);
      }
    }
  }
}
