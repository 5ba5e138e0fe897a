package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.junit.jupiter.api.Test;

/**
 * The supervised backbone committed for the strong-feature benchmark
 * ({@code conf/models/fashion-mnist-vgg4-slim}, read by {@code submit/strong-features}): it loads,
 * gives 512 features per image, the same ones every time, and it is the trained network.
 */
class CommittedBackboneTest {
  static final Path MODEL = Path.of("conf/models/fashion-mnist-vgg4-slim");

  private static int[] firstIndices(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    return idx;
  }

  private static int[] run(DeepModel model, ImageSource images, float[] features) {
    try (DeepNetwork net = model.load(MODEL, Device.cpu())) {
      return DeepClusteringTrainer.predict(net, model.normalization(), images, 64, features,
          null);
    }
  }

  @Test
  void givesTheSame512FeaturesOnEveryLoad() {
    DeepModel model = DeepModel.read(MODEL);
    assertEquals("vgg4-slim", model.network());
    assertEquals(new Shape(1, 28, 28), model.imageShape());
    assertEquals(10, model.k());
    try (ImageDataset digits = DatasetCatalog.open("demo")) { // bundled: always here
      int n = 16;
      DatasetImages images = new DatasetImages(digits, firstIndices(n), model.imageShape());
      float[] a = new float[n * 512];
      float[] b = new float[n * 512];
      run(model, images, a);
      run(model, images, b);
      assertArrayEquals(a, b);
      for (int i = 0; i < n; i++) {
        double norm = 0;
        for (int j = 0; j < 512; j++) {
          float v = a[i * 512 + j];
          assertTrue(Float.isFinite(v) && v >= 0, "ReLU features, image " + i + ": " + v);
          norm += v * v;
        }
        assertTrue(norm > 0, "image " + i + " has all-zero features");
      }
    }
  }

  /** Trained supervised: it classifies held-out Fashion-MNIST test images (when installed). */
  @Test
  void classifiesFashionMnistTestImages() {
    ImageDataset test;
    try {
      test = DatasetCatalog.open("fashion-mnist-test");
    } catch (IllegalArgumentException e) {
      assumeTrue(false, "Fashion-MNIST is not installed: " + e.getMessage());
      return;
    }
    try (test) {
      DeepModel model = DeepModel.read(MODEL);
      int n = 500;
      DatasetImages images = new DatasetImages(test, firstIndices(n), model.imageShape());
      int[] predicted = run(model, images, null);
      int correct = 0;
      for (int i = 0; i < n; i++) {
        correct += predicted[i] == images.label(i) ? 1 : 0;
      }
      assertTrue(correct >= 0.8 * n, correct + " of " + n + " test images right");
    }
  }
}
