package org.ccespark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.ccespark.data.images.Image;
import org.junit.jupiter.api.Test;

/** DJL runs the TorchScript test model as PyTorch did, and the preprocessing matches PyTorch's. */
class FeatureExtractorTest {
  private static final JsonNode EXPECTED = TinyCnn.expected();

  private static float[] rawInput() {
    float[] x = new float[3 * 3 * 32 * 32];
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) (Math.sin(0.37 * k) * 2.0);
    }
    return x;
  }

  @Test
  void forwardOutputsAndExportedMethodMatchPyTorch() {
    JsonNode raw = EXPECTED.get("raw");
    String[][] cases = {{"0", "features"}, {"1", "logits"}, {"forward:1", "logits"},
        {"embed", "embed"}};
    for (String[] c : cases) {
      try (FeatureExtractor fx = FeatureExtractor.load(TinyCnn.spec(c[0]))) {
        float[][] out = fx.extract(rawInput(), 3);
        assertEquals(3, out.length);
        for (int i = 0; i < 3; i++) {
          TinyCnn.assertClose(raw.get(c[1]).get(i), out[i], 1e-5, "layer " + c[0] + " image " + i);
        }
        assertEquals(out[0].length, fx.dimension());
      }
    }
  }

  @Test
  void preprocessingMatchesPyTorch() {
    JsonNode images = EXPECTED.get("images");
    Preprocessing p = new Preprocessing(images.get("inputSize").asInt(), images.get("resize").asInt());
    int checked = 0;
    for (JsonNode img : images.get("images")) {
      if (!img.has("preprocessed")) {
        continue;
      }
      Image image = TinyCnn.synthetic(img.get("index").asInt(), img.get("height").asInt(),
          img.get("width").asInt(), img.get("channels").asInt());
      TinyCnn.assertClose(img.get("preprocessed"), p.apply(image), 1e-5,
          "preprocessed image " + img.get("index"));
      checked++;
    }
    assertEquals(2, checked);
  }

  @Test
  void imagesToFeaturesMatchPyTorch() {
    JsonNode images = EXPECTED.get("images").get("images");
    Preprocessing p = new Preprocessing(TinyCnn.INPUT_SIZE, TinyCnn.RESIZE);
    int n = images.size();
    float[] batch = new float[n * p.floatsPerImage()];
    for (int i = 0; i < n; i++) {
      JsonNode img = images.get(i);
      p.apply(TinyCnn.synthetic(i, img.get("height").asInt(), img.get("width").asInt(),
          img.get("channels").asInt()), batch, i * p.floatsPerImage());
    }
    try (FeatureExtractor fx = FeatureExtractor.load(TinyCnn.spec("0"))) {
      float[][] out = fx.extract(batch, n);
      for (int i = 0; i < n; i++) {
        TinyCnn.assertClose(images.get(i).get("features"), out[i], 1e-5, "image " + i);
      }
    }
  }

  @Test
  void greyImageEqualsItsThreeChannelCopy() {
    Image grey = TinyCnn.synthetic(3, 20, 25, 1);
    byte[] rgb = new byte[20 * 25 * 3];
    for (int k = 0; k < 20 * 25; k++) {
      rgb[3 * k] = rgb[3 * k + 1] = rgb[3 * k + 2] = grey.pixels()[k];
    }
    Preprocessing p = Preprocessing.of(24);
    assertArrayEquals(p.apply(new Image(20, 25, 3, rgb)), p.apply(grey));
    assertEquals(25, p.resize());
  }

  @Test
  void badModelsAndLayersFailClearly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureExtractor.load(new ModelSpec("no/such/model.pt", "0",
            Preprocessing.of(32), "cpu", 0)));
    assertTrue(e.getMessage().contains("no/such/model.pt"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FeatureExtractor.load(
        TinyCnn.spec("pooled")));
    assertTrue(e.getMessage().contains("no method 'pooled'") && e.getMessage().contains("embed"),
        e.getMessage());
    try (FeatureExtractor fx = FeatureExtractor.load(TinyCnn.spec("2"))) {
      e = assertThrows(IllegalArgumentException.class, () -> fx.extract(rawInput(), 3));
      assertTrue(e.getMessage().contains("returns 2 output(s)"), e.getMessage());
    }
    e = assertThrows(IllegalArgumentException.class,
        () -> new ModelSpec(ModelSpec.RANDOM_RESNET50, "1", Preprocessing.of(32), "cpu", 0));
    assertTrue(e.getMessage().contains("layer"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TinyCnn.spec("a-b"));
    assertTrue(e.getMessage().contains("a-b"), e.getMessage());
  }

  @Test
  void gpuWithoutOneIsAnErrorAndAutoFallsBackToCpu() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DjlEngine.device("gpu"));
    assertTrue(e.getMessage().contains("sees no GPU"), e.getMessage());
    assertEquals(ai.djl.Device.cpu(), DjlEngine.device("auto"));
    assertThrows(IllegalArgumentException.class, () -> DjlEngine.device("tpu"));
  }

  @Test
  void theDefaultZooModelIsRefusedWithHowToExportThePooledFeatures() {
    // DJL's model-zoo ResNet-50 only gives the 1000 class scores: refused before any download,
    // online or offline, saying how to get the 2048 pooled features.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ModelSpec(ModelSpec.ZOO_RESNET50, "0", Preprocessing.of(224), "cpu", 0));
    String m = e.getMessage();
    assertTrue(m.startsWith("--model resnet50 (the default)") && m.contains("1000 class scores")
        && m.contains("2048 pooled features"), m);
    assertTrue(m.contains("model.fc = torch.nn.Identity()")
        && m.contains("src/tools/export-resnet50.py")
        && m.contains("--model resnet50-imagenet.pt"), m);
    assertTrue(m.contains("Without network access no ImageNet weights can be had"), m);
    // The transformer's default is the same name, refused on the driver before any task runs.
    ImageFeatureTransformer t = new ImageFeatureTransformer();
    assertEquals(ModelSpec.ZOO_RESNET50, t.getModel());
    assertEquals(m, assertThrows(IllegalArgumentException.class, t::modelSpec).getMessage());
  }

  @Test
  void aTorchScriptModelGivingImagenetClassScoresIsRefused() {
    // tiny-classifier.pt: forward returns fc(features) with fc a Linear(8, 1000).
    ModelSpec scores = new ModelSpec(TinyCnn.classifierPath(), "0", new Preprocessing(32, 36),
        "cpu", 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureExtractor.load(scores));
    String m = e.getMessage();
    assertTrue(m.contains("tiny-classifier.pt") && m.contains("returns 1000 values per image")
        && m.contains("8 -> 1000 layer 'fc'") && m.contains("ImageNet class scores"), m);
    assertTrue(m.contains("model.fc = torch.nn.Identity()") && m.contains("--layer"), m);

    // Its exported features method is taken, and gives what PyTorch computed.
    ModelSpec features = new ModelSpec(TinyCnn.classifierPath(), "features",
        new Preprocessing(32, 36), "cpu", 0);
    try (FeatureExtractor fx = FeatureExtractor.load(features)) {
      assertEquals(-1, fx.dimension());
      float[][] out = fx.extract(rawInput(), 3);
      assertEquals(8, fx.dimension());
      for (int i = 0; i < 3; i++) {
        TinyCnn.assertClose(EXPECTED.get("classifier").get("features").get(i), out[i], 1e-5,
            "image " + i);
      }
    }
  }

  @Test
  void randomResNet50IsSeededAnd2048Dimensional() {
    ModelSpec spec = new ModelSpec(ModelSpec.RANDOM_RESNET50, "0", new Preprocessing(32, 32), "cpu",
        5);
    float[] batch = new float[2 * 3 * 32 * 32];
    for (int k = 0; k < batch.length; k++) {
      batch[k] = (float) Math.cos(0.11 * k);
    }
    float[][] a;
    float[][] b;
    try (FeatureExtractor fx = FeatureExtractor.load(spec)) {
      a = fx.extract(batch, 2);
      assertEquals(2048, fx.dimension());
    }
    try (FeatureExtractor fx = FeatureExtractor.load(spec)) {
      b = fx.extract(batch, 2);
    }
    assertArrayEquals(a[0], b[0]);
    assertArrayEquals(a[1], b[1]);
    boolean differ = false;
    for (int j = 0; j < 2048; j++) {
      differ |= a[0][j] != a[1][j];
    }
    assertTrue(differ, "two different images gave the same features");
  }
}
