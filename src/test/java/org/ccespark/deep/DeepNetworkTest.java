package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.ccespark.features.DjlEngine;
import org.junit.jupiter.api.Test;

class DeepNetworkTest {

  static DeepNetwork tiny(int k, long seed) {
    SequentialBlock b = new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(4).build())
        .add(BatchNorm.builder().build())
        .add(Activation::relu)
        .add(Blocks.batchFlattenBlock());
    return new DeepNetwork("tiny", b, new Shape(1, 6, 6), k, Device.cpu(), seed);
  }

  @Test
  void shapesAndParameterGroups() {
    try (DeepNetwork net = tiny(3, 1)) {
      assertEquals(4 * 4 * 4, net.featureDimension());
      assertEquals(2, net.headParameters().size());
      // conv weight + bias, batch-norm gamma + beta; running statistics are not trainable
      assertEquals(4, net.backboneParameters().size());
      try (NDManager m = net.manager().newSubManager()) {
        NDArray x = m.randomUniform(0, 1, new Shape(5, 1, 6, 6));
        assertEquals(new Shape(5, 3), net.logits(x, false).getShape());
        assertEquals(new Shape(5, 64), net.features(x).getShape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> net.logits(m.zeros(new Shape(2, 1, 5, 6)), false));
        assertTrue(e.getMessage().contains("(1, 6, 6)"), e.getMessage());
      }
    }
  }

  @Test
  void gradientsReachEveryTrainableParameter() {
    try (DeepNetwork net = tiny(2, 2); NDManager m = net.manager().newSubManager()) {
      NDArray x = m.randomUniform(0, 1, new Shape(4, 1, 6, 6));
      try (GradientCollector gc = DjlEngine.get(false).newGradientCollector()) {
        NDArray z = net.logits(x, true);
        gc.backward(z.mul(m.create(new float[] {1f, -2f})).sum());
      }
      for (Parameter p : net.headParameters()) {
        assertTrue(p.getArray().getGradient().abs().sum().getFloat() > 0, p.getName());
      }
      for (Parameter p : net.backboneParameters()) {
        assertTrue(p.getArray().getGradient().abs().sum().getFloat() > 0, p.getName());
      }
    }
  }

  @Test
  void saveAndLoadRestoreEveryParameterIncludingRunningStatistics() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    float[] before;
    try (DeepNetwork net = tiny(3, 3); NDManager m = net.manager().newSubManager()) {
      NDArray x = m.randomUniform(0, 1, new Shape(4, 1, 6, 6));
      net.logits(x, true); // updates the batch-norm running statistics
      before = net.logits(x, false).toFloatArray();
      net.save(bytes);
    }
    try (DeepNetwork other = tiny(3, 99); NDManager m = other.manager().newSubManager()) {
      DjlEngine.get(false).setRandomSeed(0);
      NDArray x = m.randomUniform(0, 1, new Shape(4, 1, 6, 6));
      float[] fresh = other.logits(x, false).toFloatArray();
      other.load(new ByteArrayInputStream(bytes.toByteArray()));
      float[] after = other.logits(x, false).toFloatArray();
      assertFalse(java.util.Arrays.equals(fresh, after));
      assertEquals(before.length, after.length);
    }
    // a network loaded from another gives the same logits and features on the same images
    try (DeepNetwork a = tiny(3, 3); DeepNetwork b = tiny(3, 4);
        NDManager m = a.manager().newSubManager()) {
      NDArray x = m.randomUniform(0, 1, new Shape(4, 1, 6, 6));
      a.logits(x, true);
      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      a.save(saved);
      b.load(new ByteArrayInputStream(saved.toByteArray()));
      NDArray xb = b.manager().create(x.toFloatArray(), x.getShape());
      assertArrayEquals(a.logits(x, false).toFloatArray(), b.logits(xb, false).toFloatArray());
      assertArrayEquals(a.features(x).toFloatArray(), b.features(xb).toFloatArray());
    }
  }

  @Test
  void loadRefusesAnotherNetwork() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DeepNetwork net = tiny(3, 1)) {
      net.save(bytes);
    }
    try (DeepNetwork other = tiny(4, 1)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> other.load(new ByteArrayInputStream(bytes.toByteArray())));
      assertTrue(e.getMessage().contains("k=3") && e.getMessage().contains("k=4"), e.getMessage());
    }
  }

  @Test
  void invalidArguments() {
    assertThrows(IllegalArgumentException.class, () -> tiny(0, 1));
  }
}
