package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.selflabel.Method;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Algorithm 2 with a network, on real MNIST digits (the bundled 2,000-digit sample). */
class DeepClusteringTrainerTest {
  private static final Shape GREY28 = new Shape(1, 28, 28);
  private static ImageDataset digits;
  private static DatasetImages first512;

  @BeforeAll
  static void open() {
    digits = DatasetCatalog.open("demo");
    int[] idx = new int[512];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    first512 = new DatasetImages(digits, idx, GREY28);
  }

  @AfterAll
  static void close() {
    digits.close();
  }

  /** A small CNN (two conv stages) so that the loop's tests take seconds, not minutes. */
  static DeepNetwork smallCnn(long seed) {
    SequentialBlock b = new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2))
            .setFilters(8).build())
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2))
            .setFilters(16).build())
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(4, 4), new Shape(4, 4)))
        .add(Blocks.batchFlattenBlock());
    return new DeepNetwork("small-cnn", b, GREY28, 10, Device.cpu(), seed);
  }

  static DeepSettings settings(int epochs, int batch, double augWeight, long seed) {
    return new DeepSettings("cce", 100, 1000, 1e-5, epochs, batch, augWeight, 1e-3, 1e-3, 0.01,
        2.0, seed);
  }

  static DeepClusteringTrainer trainer(DeepNetwork net, DeepSettings s) {
    return new DeepClusteringTrainer(net, s, ImageAugmentation.defaultFor(1, 28, 28),
        ImageTensors.ChannelStatistics.of(first512, 1));
  }

  @Test
  void lossDecreasesOverEpochsOnRealDigits() {
    try (DeepNetwork net = smallCnn(1)) {
      List<DeepClusteringTrainer.EpochStats> h = trainer(net, settings(4, 64, 0.5, 1))
          .train(first512, null, null, null, false, null);
      assertEquals(4, h.size());
      for (DeepClusteringTrainer.EpochStats s : h) {
        assertTrue(Double.isFinite(s.loss()) && s.imagesPerSecond() > 0, s.toString());
        assertTrue(s.solverIterations() >= 1, s.toString());
        assertTrue(Double.isFinite(s.augmentationLoss()), s.toString());
      }
      assertTrue(h.get(3).loss() < h.get(0).loss(), h.toString());
    }
  }

  @Test
  void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne(@TempDir Path tmp) {
    byte[] straight;
    List<DeepClusteringTrainer.EpochStats> full;
    try (DeepNetwork net = smallCnn(2)) {
      full = trainer(net, settings(2, 128, 0.5, 2)).train(first512, null, null, null, false, null);
      straight = bytes(net);
    }
    Path ckpt = tmp.resolve("ckpt");
    try (DeepNetwork net = smallCnn(2)) {
      trainer(net, settings(2, 128, 0.5, 2)).train(first512, null, null, ckpt, false, s -> {
        if (s.epoch() == 1) {
          throw new IllegalStateException("stop after epoch 1");
        }
      });
    } catch (IllegalStateException e) {
      assertEquals("stop after epoch 1", e.getMessage());
    }
    List<Integer> resumedEpochs = new ArrayList<>();
    try (DeepNetwork net = smallCnn(99)) { // other initial weights: the checkpoint replaces them
      List<DeepClusteringTrainer.EpochStats> h = trainer(net, settings(2, 128, 0.5, 2))
          .train(first512, null, null, ckpt, true, s -> resumedEpochs.add(s.epoch()));
      assertEquals(List.of(2), resumedEpochs);
      assertEquals(2, h.size());
      assertEquals(full.get(1).loss(), h.get(1).loss());
      assertArrayEquals(straight, bytes(net));
    }
  }

  @Test
  void checkpointOfAnotherRunIsRefused(@TempDir Path tmp) {
    Path ckpt = tmp.resolve("ckpt");
    try (DeepNetwork net = smallCnn(3)) {
      trainer(net, settings(1, 256, 0, 3)).train(first512, null, null, ckpt, false, null);
    }
    try (DeepNetwork net = smallCnn(3)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> trainer(net, settings(2, 128, 0, 3)).train(first512, null, null, ckpt, true,
              null));
      assertTrue(e.getMessage().contains("batchSize=256") && e.getMessage().contains(
          "batchSize=128"), e.getMessage());
    }
  }

  @Test
  void semiSupervisedSeedsAreLearnedAndHeldOutAccuracyIsReported() {
    boolean[] seeds = first512.seedRows(0.5, 4, "test");
    int[] idx = new int[300];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = 1000 + i;
    }
    DatasetImages heldOut = new DatasetImages(digits, idx, GREY28);
    try (DeepNetwork net = smallCnn(4)) {
      DeepSettings s = new DeepSettings("cce", 100, 1000, 1e-5, 6, 64, 0, 3e-3, 3e-3, 0.01, 2.0,
          4);
      DeepClusteringTrainer t = trainer(net, s);
      List<DeepClusteringTrainer.EpochStats> h = t.train(first512, seeds, heldOut, null, false,
          null);
      double acc = h.get(5).heldOutAccuracy();
      // seeds name the classes: held-out digits are recognised far above chance (0.1)
      assertTrue(acc > 0.5, h.toString());
      int[] pred = t.predict(first512, 100, null, null);
      int agree = 0;
      int count = 0;
      for (int i = 0; i < seeds.length; i++) {
        if (seeds[i]) {
          count++;
          agree += pred[i] == first512.label(i) ? 1 : 0;
        }
      }
      assertTrue(agree > 0.8 * count, agree + " of " + count);
    }
  }

  /** The baselines train in the same loop: each method's solver and loss drive the network. */
  @ParameterizedTest
  @ValueSource(strings = {"cce-pgd", "sela", "miadm", "migd"})
  void everyMethodTrainsTheNetwork(String method) {
    try (DeepNetwork net = smallCnn(7)) {
      byte[] before = bytes(net);
      DeepSettings s = new DeepSettings(method, Method.of(method).defaultLambda(), 200,
          1e-4, 2, 128, 0.5, 1e-3, 1e-3, 0.01, 2.0, 7);
      List<DeepClusteringTrainer.EpochStats> h = trainer(net, s).train(first512, null, null,
          null, false, null);
      assertEquals(2, h.size());
      for (DeepClusteringTrainer.EpochStats e : h) {
        assertTrue(Double.isFinite(e.loss()) && Double.isFinite(e.augmentationLoss()),
            e.toString());
        assertEquals(method.equals("migd"), e.solverIterations() == 0, e.toString());
      }
      assertFalse(java.util.Arrays.equals(before, bytes(net)));
    }
  }

  @Test
  void predictGivesFeaturesProbabilitiesAndAssignments() {
    try (DeepNetwork net = smallCnn(5)) {
      DeepClusteringTrainer t = trainer(net, settings(1, 128, 0, 5));
      int n = first512.size();
      float[] f = new float[n * (int) net.featureDimension()];
      float[] p = new float[n * 10];
      int[] a = t.predict(first512, 100, f, p);
      for (int i = 0; i < n; i++) {
        double sum = 0;
        int best = 0;
        for (int c = 0; c < 10; c++) {
          sum += p[i * 10 + c];
          best = p[i * 10 + c] > p[i * 10 + best] ? c : best;
        }
        assertEquals(1.0, sum, 1e-5);
        assertEquals(best, a[i]);
      }
    }
  }

  @Test
  void imagesOfAnotherShapeAreRefused() {
    try (DeepNetwork net = smallCnn(6)) {
      ImageSource wrong = ImageSource.of(new float[3 * 32 * 32], null, 3 * 32 * 32);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> trainer(net, settings(1, 1, 0, 6)).train(wrong, null, null, null, false, null));
      assertTrue(e.getMessage().contains("3072"), e.getMessage());
    }
  }

  private static byte[] bytes(DeepNetwork net) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    net.save(b);
    return b.toByteArray();
  }

  static DeepSettings supervised(int epochs, int batch, long seed) {
    return new DeepSettings(DeepSettings.SUPERVISED, 0, 1000, 1e-5, epochs, batch, 0, 1e-3, 1e-3,
        0, 2.0, seed);
  }

  /**
   * Supervised training ({@code supervised-shannon}): with the whole sample in one batch, the
   * first epoch's loss is the plain cross-entropy of the true labels under the initial network
   * (computed here from an identically seeded twin), nothing is solved, and further steps lower it.
   */
  @Test
  void supervisedLossIsThePlainCrossEntropyOfTheLabels() {
    int n = 64;
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    DatasetImages images = new DatasetImages(digits, idx, GREY28);
    ImageTensors.ChannelStatistics norm = ImageTensors.ChannelStatistics.of(images, 1);
    double expected = 0;
    try (DeepNetwork twin = smallCnn(5); NDManager m = twin.manager().newSubManager()) {
      float[] x = new float[n * 784];
      for (int i = 0; i < n; i++) {
        images.read(i, x, i * 784);
      }
      norm.normalize(x, n, 28, 28);
      float[] z = twin.logits(m.create(x, new Shape(n, 1, 28, 28)), true).toFloatArray();
      for (int i = 0; i < n; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < 10; c++) {
          max = Math.max(max, z[i * 10 + c]);
        }
        double sum = 0;
        for (int c = 0; c < 10; c++) {
          sum += Math.exp(z[i * 10 + c] - max);
        }
        expected += (max + Math.log(sum) - z[i * 10 + images.label(i)]) / n;
      }
    }
    try (DeepNetwork net = smallCnn(5)) {
      List<DeepClusteringTrainer.EpochStats> h = new DeepClusteringTrainer(net,
          supervised(3, n, 5), ImageAugmentation.defaultFor(1, 28, 28), norm)
          .train(images, null, null, null, false, null);
      assertEquals(expected, h.get(0).loss(), 1e-4, h.toString());
      assertEquals(0, h.get(0).solverIterations());
      assertTrue(h.get(2).loss() < h.get(0).loss(), h.toString());
    }
  }

  @Test
  void supervisedTrainingNeedsEveryLabelAndNoLambda() {
    TrainingImages two = TrainingImages.of("two", new float[2 * 784], new int[] {3, -1},
        new String[] {"a", "b"}, 784);
    try (DeepNetwork net = smallCnn(1)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> trainer(net, supervised(1, 2, 1)).train(two, null, null, null, false, null));
      assertTrue(e.getMessage().contains("Training image 1 has label -1"), e.getMessage());
    }
    IllegalArgumentException lambda = assertThrows(IllegalArgumentException.class,
        () -> new DeepSettings(DeepSettings.SUPERVISED, 100, 1000, 1e-5, 1, 2, 0, 1e-3, 1e-3, 0,
            2.0, 1));
    assertTrue(lambda.getMessage().contains("lambda does not apply"), lambda.getMessage());
  }
}
