package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.ccespark.deep.Networks.Vgg4Variant;
import org.junit.jupiter.api.Test;

class NetworksTest {

  /**
   * Table 8 of the paper, written out: per variant, input channels, stride, and per stage the
   * convolution's output {@code (filters, side)} and the stage's output side after pooling (the
   * fourth stage has no pooling).
   */
  private record Table8(Vgg4Variant variant, int channels, int side, int stride, int[] filters,
      int[] convSides, int[] stageSides, long features) {}

  private static final List<Table8> TABLE8 = List.of(
      new Table8(Vgg4Variant.GREY28, 1, 28, 1, new int[] {64, 128, 256, 512},
          new int[] {28, 14, 7, 3}, new int[] {14, 7, 3, 3}, 512 * 3 * 3),
      new Table8(Vgg4Variant.RGB32, 3, 32, 1, new int[] {32, 64, 128, 256},
          new int[] {32, 16, 8, 4}, new int[] {16, 8, 4, 4}, 256 * 4 * 4),
      new Table8(Vgg4Variant.RGB96, 3, 96, 2, new int[] {128, 256, 512, 1024},
          new int[] {48, 12, 3, 1}, new int[] {24, 6, 1, 1}, 1024));

  @Test
  void vgg4LayersMatchTable8() {
    for (Table8 t : TABLE8) {
      try (DeepNetwork net = Networks.vgg4(t.variant, 10, Device.cpu(), 1)) {
        String v = t.variant.toString();
        assertEquals(new Shape(t.channels, t.side, t.side), net.imageShape(), v);
        assertEquals(t.features, net.featureDimension(), v);
        assertEquals(t.features, t.variant.featureDimension(), v);
        assertEquals("vgg4-" + v.toLowerCase(java.util.Locale.ROOT), net.description());
        List<Block> stages = new ArrayList<>(net.backbone().getChildren().values());
        assertEquals(5, stages.size(), v + ": four stages and the flatten");
        Shape in = new Shape(2, t.channels, t.side, t.side);
        long inChannels = t.channels;
        long parameters = 0;
        for (int s = 0; s < 4; s++) {
          String where = v + " stage " + (s + 1);
          List<Block> layers = new ArrayList<>(stages.get(s).getChildren().values());
          assertEquals(s < 3 ? 4 : 3, layers.size(), where + ": conv, BN, ReLU" + (s < 3 ? ", pool"
              : ""));
          Conv2d conv = assertInstanceOf(Conv2d.class, layers.get(0), where);
          assertEquals(new Shape(5, 5), conv.getKernelShape(), where);
          assertEquals(new Shape(t.stride, t.stride), conv.getStride(), where);
          assertEquals(new Shape(2, 2), conv.getPadding(), where);
          assertEquals(t.filters[s], conv.getFilters(), where);
          assertInstanceOf(BatchNorm.class, layers.get(1), where);
          assertEquals("ReLU", assertInstanceOf(LambdaBlock.class, layers.get(2)).getName());
          if (s < 3) {
            assertEquals("maxPool2d", assertInstanceOf(LambdaBlock.class, layers.get(3)).getName());
          }
          Shape convOut = conv.getOutputShapes(new Shape[] {in})[0];
          assertEquals(new Shape(2, t.filters[s], t.convSides[s], t.convSides[s]), convOut, where);
          Shape stageOut = stages.get(s).getOutputShapes(new Shape[] {in})[0];
          assertEquals(new Shape(2, t.filters[s], t.stageSides[s], t.stageSides[s]), stageOut,
              where);
          long f = t.filters[s];
          assertEquals(new Shape(f, inChannels, 5, 5), param(conv, "weight").getShape(), where);
          assertEquals(new Shape(f), param(conv, "bias").getShape(), where);
          for (String name : List.of("gamma", "beta", "runningMean", "runningVar")) {
            assertEquals(new Shape(f), param(layers.get(1), name).getShape(), where + " " + name);
          }
          parameters += f * inChannels * 25 + f + 2 * f; // conv weight and bias, BN gamma and beta
          in = stageOut;
          inChannels = f;
        }
        assertEquals(new Shape(2, t.features),
            stages.get(4).getOutputShapes(new Shape[] {in})[0], v + " flatten");
        assertEquals(parameters, count(net.backboneParameters()), v);
        assertEquals(t.features * 10 + 10, count(net.headParameters()), v);
      }
    }
  }

  @Test
  void vgg4ForwardGivesNByK() {
    for (Vgg4Variant v : Vgg4Variant.values()) {
      try (DeepNetwork net = Networks.vgg4(v, 7, Device.cpu(), 2);
          NDManager m = net.manager().newSubManager()) {
        NDArray x = m.randomUniform(0, 1, new Shape(2).addAll(v.imageShape()));
        NDArray z = net.logits(x, true);
        assertEquals(new Shape(2, 7), z.getShape(), v.toString());
        assertTrue(z.isInfinite().logicalOr(z.isNaN()).none().getBoolean(), v.toString());
        assertEquals(new Shape(2, v.featureDimension()), net.features(x).getShape());
      }
    }
  }

  @Test
  void vgg4SeedDecidesTheWeights() {
    float[] a = firstConvWeights(Networks.vgg4(Vgg4Variant.GREY28, 3, Device.cpu(), 5));
    float[] b = firstConvWeights(Networks.vgg4(Vgg4Variant.GREY28, 3, Device.cpu(), 5));
    float[] c = firstConvWeights(Networks.vgg4(Vgg4Variant.GREY28, 3, Device.cpu(), 6));
    assertArrayEquals(a, b);
    assertFalse(java.util.Arrays.equals(a, c));
  }

  @Test
  void vgg4SaveLoadGivesIdenticalLogits() {
    try (DeepNetwork a = Networks.vgg4(Vgg4Variant.RGB32, 4, Device.cpu(), 11);
        DeepNetwork b = Networks.vgg4(Vgg4Variant.RGB32, 4, Device.cpu(), 12);
        NDManager m = a.manager().newSubManager()) {
      NDArray x = m.randomUniform(0, 1, new Shape(3, 3, 32, 32));
      a.logits(x, true); // moves the batch-normalisation running statistics
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      a.save(bytes);
      NDArray xb = b.manager().create(x.toFloatArray(), x.getShape());
      float[] before = b.logits(xb, false).toFloatArray();
      b.load(new ByteArrayInputStream(bytes.toByteArray()));
      float[] expected = a.logits(x, false).toFloatArray();
      assertFalse(java.util.Arrays.equals(expected, before));
      assertArrayEquals(expected, b.logits(xb, false).toFloatArray());
    }
  }

  @Test
  void variantForImage() {
    assertEquals(Vgg4Variant.GREY28, Vgg4Variant.forImage(1, 28, 28));
    assertEquals(Vgg4Variant.RGB32, Vgg4Variant.forImage(new Shape(3, 32, 32)));
    assertEquals(Vgg4Variant.RGB96, Vgg4Variant.forImage(3, 96, 96));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Vgg4Variant.forImage(3, 28, 28));
    for (String s : List.of("GREY28 1×28×28", "RGB32 3×32×32", "RGB96 3×96×96", "3×28×28")) {
      assertTrue(e.getMessage().contains(s), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Vgg4Variant.forImage(new Shape(28, 28)));
    assertThrows(IllegalArgumentException.class, () -> Vgg4Variant.GREY28.filters(4));
  }

  private static float[] firstConvWeights(DeepNetwork net) {
    try (net) {
      return net.backboneParameters().get(0).getArray().toFloatArray();
    }
  }

  private static NDArray param(Block block, String name) {
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getKey().equals(name)) {
        return p.getValue().getArray();
      }
    }
    throw new AssertionError("No parameter " + name + " in " + block);
  }

  static long count(List<Parameter> parameters) {
    long n = 0;
    for (Parameter p : parameters) {
      n += p.getArray().getShape().size();
    }
    return n;
  }
}
