package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ccespark.deep.Networks.ResNetStem;
import org.ccespark.deep.Networks.Vgg4Variant;
import org.ccespark.features.DjlEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworksTest {

  /**
   * Table 8 of the paper, written out: per variant, input channels, stride, and per stage the
   * convolution's output {@code (filters, side)} and the stage's output side after pooling (the
   * fourth stage has no pooling), the feature dimension and the trainable parameter count.
   */
  private record Table8(Vgg4Variant variant, int channels, int side, int stride, int[] filters,
      int[] convSides, int[] stageSides, long features, long parameters) {}

  private static final List<Table8> TABLE8 = List.of(
      new Table8(Vgg4Variant.GREY28, 1, 28, 1, new int[] {64, 128, 256, 512},
          new int[] {28, 14, 7, 3}, new int[] {14, 7, 3, 3}, 512 * 3 * 3, 4_305_280),
      new Table8(Vgg4Variant.RGB32, 3, 32, 1, new int[] {32, 64, 128, 256},
          new int[] {32, 16, 8, 4}, new int[] {16, 8, 4, 4}, 256 * 4 * 4, 1_079_040),
      new Table8(Vgg4Variant.RGB96, 3, 96, 2, new int[] {128, 256, 512, 1024},
          new int[] {48, 12, 3, 1}, new int[] {24, 6, 1, 1}, 1024, 17_218_560));

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
        assertEquals(t.parameters, parameters, v + ": docs/deep-clustering.md's figure");
        assertEquals(t.features * 10 + 10, count(net.headParameters()), v);
      }
    }
  }

  /**
   * vgg4-slim: Table 8's stages at a quarter of the filters, then Linear(·, 512) and ReLU, so the
   * backbone gives 512 non-negative features.
   */
  @Test
  void vgg4SlimHasAQuarterOfTheFiltersAnd512Features() {
    try (DeepNetwork net = Networks.byName("vgg4-slim", new Shape(1, 28, 28), 10, Device.cpu(),
        1)) {
      assertEquals("vgg4-grey28-slim", net.description());
      assertEquals(Networks.SLIM_FEATURES, net.featureDimension());
      List<Block> layers = new ArrayList<>(net.backbone().getChildren().values());
      assertEquals(7, layers.size(), "four stages, flatten, linear, ReLU");
      long parameters = 0;
      long inChannels = 1;
      for (int s = 0; s < 4; s++) {
        Conv2d conv = assertInstanceOf(Conv2d.class,
            layers.get(s).getChildren().values().get(0));
        long f = Vgg4Variant.GREY28.filters(s) / 4;
        assertEquals(f, conv.getFilters(), "stage " + (s + 1));
        parameters += f * inChannels * 25 + f + 2 * f;
        inChannels = f;
      }
      parameters += 128 * 3 * 3 * 512 + 512; // Linear(1152, 512)
      assertEquals(860_256, parameters, "the documented 0.86 million");
      assertEquals(parameters, count(net.backboneParameters()));
      assertEquals(512 * 10 + 10, count(net.headParameters()));
      try (NDManager m = net.manager().newSubManager()) {
        NDArray f = net.features(m.randomNormal(new Shape(3, 1, 28, 28)));
        assertEquals(new Shape(3, 512), f.getShape());
        assertTrue(f.min().getFloat() >= 0, "ReLU features");
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
      assertEveryParameterGetsAGradient(b, xb); // loaded arrays are trainable again
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

  // ---- ResNet-18 ----

  /**
   * torchvision's resnet18 has 11,689,512 parameters; without its fc layer (512·1000 + 1000) that
   * is 11,176,512, which the 7×7 stem gives exactly. The 3×3 stems of the CIFAR/STL-10 code the
   * paper used replace the 7·7·3·64 = 9,408 stem weights by 3·3·C·64: 11,168,832 for colour and
   * 11,167,680 for grey images. Batch-normalisation running statistics are not counted (torchvision
   * keeps them as buffers, not parameters).
   */
  @Test
  void resnet18HasTorchvisionsParametersAnd512Features() {
    long torchvisionWithoutFc = 11_689_512L - (512L * 1000 + 1000);
    assertEquals(11_176_512L, torchvisionWithoutFc);
    try (DeepNetwork net = Networks.resnet18(new Shape(3, 32, 32), 10, Device.cpu(), 1);
        NDManager m = net.manager().newSubManager()) {
      assertEquals("resnet18-small", net.description());
      assertEquals(512, net.featureDimension());
      assertEquals(torchvisionWithoutFc - 7 * 7 * 3 * 64 + 3 * 3 * 3 * 64,
          count(net.backboneParameters()));
      assertEquals(11_168_832L, count(net.backboneParameters()));
      // stem, 8 residual units, global pooling, flatten; the maps of the four stages
      List<Block> children = new ArrayList<>(net.backbone().getChildren().values());
      assertEquals(11, children.size());
      Conv2d stemConv = assertInstanceOf(Conv2d.class,
          children.get(0).getChildren().values().get(0));
      assertEquals(new Shape(3, 3), stemConv.getKernelShape());
      assertEquals(new Shape(1, 1), stemConv.getStride());
      Shape in = new Shape(2, 3, 32, 32);
      long[][] expected = {{64, 32}, {64, 32}, {64, 32}, {128, 16}, {128, 16}, {256, 8},
          {256, 8}, {512, 4}, {512, 4}};
      for (int i = 0; i < expected.length; i++) {
        if (i > 0) {
          assertInstanceOf(ParallelBlock.class, children.get(i));
        }
        in = children.get(i).getOutputShapes(new Shape[] {in})[0];
        assertEquals(new Shape(2, expected[i][0], expected[i][1], expected[i][1]), in,
            "layer " + i);
      }
      NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 32, 32));
      assertEquals(new Shape(2, 512), net.features(x).getShape());
      assertEquals(new Shape(2, 10), net.logits(x, true).getShape());
    }
    try (DeepNetwork grey = Networks.resnet18(new Shape(1, 28, 28), 10, Device.cpu(), 1)) {
      assertEquals(11_167_680L, count(grey.backboneParameters()));
      assertEquals(512, grey.featureDimension());
    }
    try (DeepNetwork large = Networks.resnet18(new Shape(3, 128, 128), 10, Device.cpu(), 1)) {
      assertEquals("resnet18-large", large.description());
      assertEquals(torchvisionWithoutFc, count(large.backboneParameters()));
      assertEquals(512, large.featureDimension());
    }
  }

  @Test
  void resnet18StemFollowsTheImageSide() {
    assertEquals(ResNetStem.SMALL, ResNetStem.forSide(28));
    assertEquals(ResNetStem.SMALL, ResNetStem.forSide(32));
    assertEquals(ResNetStem.MEDIUM, ResNetStem.forSide(33));
    assertEquals(ResNetStem.MEDIUM, ResNetStem.forSide(96));
    assertEquals(ResNetStem.LARGE, ResNetStem.forSide(97));
    try (DeepNetwork stl = Networks.resnet18(new Shape(3, 96, 96), 10, Device.cpu(), 1)) {
      assertEquals("resnet18-medium", stl.description());
      // 3×3 stem, then 2×2 max-pooling with padding 1: 96 -> 49, then 49, 25, 13, 7
      Block stem = stl.backbone().getChildren().values().get(0);
      assertEquals(new Shape(1, 64, 49, 49),
          stem.getOutputShapes(new Shape[] {new Shape(1, 3, 96, 96)})[0]);
    }
  }

  /**
   * Why {@link Networks#resnet18} assembles DJL's residual units itself: in DJL 0.36
   * {@code ResNetV1} with 18 layers builds bottleneck units (under a million parameters) and
   * refuses images of side 28. If a DJL upgrade fixes this, the factory could use the builder.
   */
  @Test
  void djlResNetV1With18LayersIsNotAResNet18() {
    SequentialBlock djl = ResNetV1.builder().setImageShape(new Shape(3, 32, 32)).setNumLayers(18)
        .setOutSize(10).build();
    try (NDManager m = DjlEngine.get(false).newBaseManager()) {
      djl.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
      long n = 0;
      for (Pair<String, Parameter> p : djl.getParameters()) {
        n += p.getValue().requiresGradient() ? p.getValue().getArray().getShape().size() : 0;
      }
      assertTrue(n < 1_000_000, "DJL's ResNetV1(18) has " + n + " parameters");
    }
    assertThrows(IllegalArgumentException.class, () -> ResNetV1.builder()
        .setImageShape(new Shape(1, 28, 28)).setNumLayers(18).setOutSize(10).build());
  }

  @Test
  void resnet18SeedDecidesTheWeights() {
    Shape s = new Shape(3, 32, 32);
    float[] a = firstConvWeights(Networks.resnet18(s, 3, Device.cpu(), 5));
    float[] b = firstConvWeights(Networks.resnet18(s, 3, Device.cpu(), 5));
    float[] c = firstConvWeights(Networks.resnet18(s, 3, Device.cpu(), 6));
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
  }

  // ---- backbone initialisation ----

  @Test
  void initBackboneCopiesASavedBackboneAndKeepsTraining(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("backbone.bin");
    try (DeepNetwork pretrained = Networks.vgg4(Vgg4Variant.GREY28, 5, Device.cpu(), 1);
        DeepNetwork net = Networks.vgg4(Vgg4Variant.GREY28, 3, Device.cpu(), 2);
        NDManager m = pretrained.manager().newSubManager()) {
      NDArray x = m.randomUniform(0, 1, new Shape(2, 1, 28, 28));
      pretrained.logits(x, true); // batch-normalisation statistics move
      try (OutputStream out = Files.newOutputStream(file)) {
        pretrained.saveBackbone(out);
      }
      NDArray xn = net.manager().create(x.toFloatArray(), x.getShape());
      float[] head = net.headParameters().get(0).getArray().toFloatArray();
      assertFalse(Arrays.equals(pretrained.features(x).toFloatArray(),
          net.features(xn).toFloatArray()));
      Networks.initBackbone(net, file);
      assertArrayEquals(pretrained.features(x).toFloatArray(), net.features(xn).toFloatArray());
      assertArrayEquals(head, net.headParameters().get(0).getArray().toFloatArray());
      assertEveryParameterGetsAGradient(net, xn);
    }
  }

  @Test
  void initBackboneRefusesMissingFilesAndOtherArchitectures(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("none.bin");
    Path rgb32 = dir.resolve("rgb32.bin");
    Path full = dir.resolve("full.bin");
    Path truncated = dir.resolve("truncated.bin");
    try (DeepNetwork other = Networks.vgg4(Vgg4Variant.RGB32, 3, Device.cpu(), 1);
        OutputStream out = Files.newOutputStream(rgb32);
        OutputStream out2 = Files.newOutputStream(full)) {
      other.saveBackbone(out);
      other.save(out2);
    }
    byte[] bytes = Files.readAllBytes(rgb32);
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    try (DeepNetwork net = Networks.vgg4(Vgg4Variant.GREY28, 3, Device.cpu(), 2);
        NDManager m = net.manager().newSubManager()) {
      NDArray x = m.randomUniform(0, 1, new Shape(2, 1, 28, 28));
      float[] before = net.logits(x, false).toFloatArray();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Networks.initBackbone(net, missing));
      assertTrue(e.getMessage().contains(missing.toString())
          && e.getMessage().contains("does not exist"), e.getMessage());
      for (Path wrong : List.of(rgb32, full, truncated)) {
        e = assertThrows(IllegalArgumentException.class, () -> Networks.initBackbone(net, wrong));
        assertTrue(e.getMessage().contains(wrong.toString())
            && e.getMessage().contains("vgg4-grey28"), e.getMessage());
        // left as it was, and still trainable
        assertArrayEquals(before, net.logits(x, false).toFloatArray(), wrong.toString());
      }
      e = assertThrows(IllegalArgumentException.class, () -> Networks.initBackbone(net, rgb32));
      assertTrue(e.getMessage().contains("(32, 3, 5, 5) where this backbone has")
          && e.getMessage().contains("(64, 1, 5, 5)"), e.getMessage());
      assertEveryParameterGetsAGradient(net, x);
    }
  }

  // ---- TorchScript ----

  static Path tinyCnn() {
    try {
      return Paths.get(
          NetworksTest.class.getResource("/org/ccespark/features/tiny-cnn.pt").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The shipped test model (src/tools/make-test-cnn.py): conv1 → bn1 → ReLU → conv2 → ReLU →
   * global average pool gives 16 features, its first output; its second output, fc, is unused.
   */
  @Test
  void torchScriptBackboneTrainsThroughDjl() {
    try (DeepNetwork net = Networks.torchScript(tinyCnn(), new Shape(3, 32, 32), 4, Device.cpu(),
        1); NDManager m = net.manager().newSubManager()) {
      assertEquals("torchscript:tiny-cnn.pt", net.description());
      assertEquals(16, net.featureDimension());
      List<String> names = new ArrayList<>();
      for (Parameter p : net.backboneParameters()) {
        names.add(p.getName());
      }
      assertEquals(List.of("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "conv2.weight",
          "conv2.bias", "fc.weight", "fc.bias"), names);
      NDArray x = m.randomUniform(0, 1, new Shape(4, 3, 32, 32));
      NDArray weights = m.create(new float[] {1f, -2f, 0.5f, 3f});
      float[] before = net.logits(x, false).toFloatArray();
      float[] conv2Before = param(net, "conv2.weight").toFloatArray();
      try (GradientCollector gc = DjlEngine.get(false).newGradientCollector()) {
        gc.backward(net.logits(x, true).mul(weights).sum());
      }
      for (String name : List.of("conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight",
          "conv2.bias")) {
        assertTrue(gradientNorm(net, name) > 1e-3, name);
      }
      assertEquals(0f, gradientNorm(net, "fc.weight"), "fc does not feed output 0");
      // In training mode bn1 normalises with the batch's statistics, which cancel conv1's bias
      // (its gradient vanishes), and moves its running statistics (the inference output changes
      // with no parameter changed). DJL alone would run the module in the mode it was saved in.
      assertTrue(gradientNorm(net, "conv1.bias") < 1e-4 * gradientNorm(net, "conv1.weight"));
      float[] afterStatistics = net.logits(x, false).toFloatArray();
      assertFalse(Arrays.equals(before, afterStatistics));
      // one plain gradient step changes the module's parameters and its output
      for (Parameter p : net.backboneParameters()) {
        p.getArray().subi(p.getArray().getGradient().mul(0.1f));
      }
      assertFalse(Arrays.equals(conv2Before, param(net, "conv2.weight").toFloatArray()));
      assertFalse(Arrays.equals(afterStatistics, net.logits(x, false).toFloatArray()));
    }
  }

  @Test
  void torchScriptSaveLoadAndInitBackbone(@TempDir Path dir) throws Exception {
    Path backbone = dir.resolve("tiny-backbone.bin");
    Path vgg = dir.resolve("vgg.bin");
    try (DeepNetwork a = Networks.torchScript(tinyCnn(), new Shape(3, 32, 32), 4, Device.cpu(), 1);
        DeepNetwork b = Networks.torchScript(tinyCnn(), new Shape(3, 32, 32), 4, Device.cpu(), 2);
        DeepNetwork c = Networks.torchScript(tinyCnn(), new Shape(3, 32, 32), 4, Device.cpu(), 3);
        NDManager m = a.manager().newSubManager()) {
      NDArray x = m.randomUniform(0, 1, new Shape(3, 3, 32, 32));
      try (GradientCollector gc = DjlEngine.get(false).newGradientCollector()) {
        gc.backward(a.logits(x, true).sum());
      }
      for (Parameter p : a.backboneParameters()) {
        p.getArray().subi(p.getArray().getGradient().mul(0.5f));
      }
      float[] expected = a.logits(x, false).toFloatArray(); // the module is saved in eval mode
      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      a.save(saved);
      try (OutputStream out = Files.newOutputStream(backbone)) {
        a.saveBackbone(out);
      }
      NDArray xb = b.manager().create(x.toFloatArray(), x.getShape());
      b.load(new ByteArrayInputStream(saved.toByteArray()));
      // the loaded module trains in training mode (batch statistics cancel conv1's bias)
      assertEveryBackboneParameterGetsAGradient(b, xb);
      assertTrue(gradientNorm(b, "conv1.bias") < 1e-4 * gradientNorm(b, "conv1.weight"));
      b.load(new ByteArrayInputStream(saved.toByteArray()));
      assertArrayEquals(expected, b.logits(xb, false).toFloatArray());

      NDArray xc = c.manager().create(x.toFloatArray(), x.getShape());
      Networks.initBackbone(c, backbone);
      assertArrayEquals(a.features(x).toFloatArray(), c.features(xc).toFloatArray());
      try (DeepNetwork v = Networks.vgg4(Vgg4Variant.RGB32, 4, Device.cpu(), 1);
          OutputStream out = Files.newOutputStream(vgg)) {
        v.saveBackbone(out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Networks.initBackbone(v, backbone));
        assertTrue(e.getMessage().contains("vgg4-rgb32"), e.getMessage());
      }
      float[] kept = c.features(xc).toFloatArray();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Networks.initBackbone(c, vgg));
      assertTrue(e.getMessage().contains("torchscript:tiny-cnn.pt"), e.getMessage());
      assertArrayEquals(kept, c.features(xc).toFloatArray());
    }
  }

  @Test
  void torchScriptErrorsNameTheFileAndTheProblem(@TempDir Path dir) throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Networks.torchScript(dir.resolve("missing.pt"), new Shape(3, 32, 32), 4,
            Device.cpu(), 1));
    assertTrue(e.getMessage().contains("missing.pt") && e.getMessage().contains("does not exist"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Networks.torchScript(tinyCnn(), new Shape(1, 28, 28), 4, Device.cpu(), 1));
    assertTrue(e.getMessage().contains("(1, 28, 28)") && e.getMessage().contains("channels")
        && !e.getMessage().contains("\n"), e.getMessage());
    Path text = dir.resolve("text.pt");
    Files.writeString(text, "not a model");
    e = assertThrows(IllegalArgumentException.class,
        () -> Networks.torchScript(text, new Shape(3, 32, 32), 4, Device.cpu(), 1));
    assertTrue(e.getMessage().contains("text.pt"), e.getMessage());
  }

  // ---- names ----

  @Test
  void byNameChoosesTheNetwork() {
    try (DeepNetwork v = Networks.byName("vgg4", new Shape(1, 28, 28), 3, Device.cpu(), 1)) {
      assertEquals("vgg4-grey28", v.description());
    }
    try (DeepNetwork r = Networks.byName("ResNet18", new Shape(3, 32, 32), 3, Device.cpu(), 1)) {
      assertEquals("resnet18-small", r.description());
    }
    try (DeepNetwork t = Networks.byName(tinyCnn().toString(), new Shape(3, 32, 32), 3,
        Device.cpu(), 1)) {
      assertEquals("torchscript:tiny-cnn.pt", t.description());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Networks.byName("alexnet", new Shape(3, 32, 32), 3, Device.cpu(), 1));
    for (String s : List.of("'alexnet'", "vgg4", "resnet18", ".pt")) {
      assertTrue(e.getMessage().contains(s), e.getMessage());
    }
    e = assertThrows(IllegalArgumentException.class,
        () -> Networks.byName("vgg4", new Shape(3, 64, 64), 3, Device.cpu(), 1));
    assertTrue(e.getMessage().contains("RGB96 3×96×96"), e.getMessage());
  }

  private static void assertEveryParameterGetsAGradient(DeepNetwork net, NDArray x) {
    try (GradientCollector gc = DjlEngine.get(false).newGradientCollector()) {
      gc.backward(net.logits(x, true).mul(net.manager().arange(1f, net.k() + 1f)).sum());
    }
    // a convolution's bias followed by batch normalisation gets a (numerically) zero gradient
    for (Parameter p : net.backboneParameters()) {
      float g = p.getArray().getGradient().abs().sum().getFloat();
      assertTrue(p.getName().equals("bias") || g > 0, p.getName());
    }
    for (Parameter p : net.headParameters()) {
      assertTrue(p.getArray().getGradient().abs().sum().getFloat() > 0, p.getName());
    }
  }

  private static void assertEveryBackboneParameterGetsAGradient(DeepNetwork net, NDArray x) {
    try (GradientCollector gc = DjlEngine.get(false).newGradientCollector()) {
      gc.backward(net.logits(x, true).mul(net.manager().arange(1f, net.k() + 1f)).sum());
    }
    for (Parameter p : net.backboneParameters()) {
      if (!p.getName().startsWith("fc.") && !p.getName().equals("conv1.bias")) {
        assertTrue(p.getArray().getGradient().abs().sum().getFloat() > 0, p.getName());
      }
    }
  }

  private static NDArray param(DeepNetwork net, String name) {
    for (Parameter p : net.backboneParameters()) {
      if (p.getName().equals(name)) {
        return p.getArray();
      }
    }
    throw new AssertionError("No parameter " + name);
  }

  private static float gradientNorm(DeepNetwork net, String name) {
    return param(net, name).getGradient().abs().sum().getFloat();
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
