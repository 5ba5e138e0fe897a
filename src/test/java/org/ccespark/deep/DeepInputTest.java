package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.ImageShape;
import org.ccespark.data.PixelInput;
import org.ccespark.data.SettingException;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the deep trainer reads: an image dataset or a pixel table ({@link PixelInput}, with the
 * options that apply to each kind), as its images ({@link DeepInput}).
 */
class DeepInputTest {
  @TempDir
  Path tmp;

  @Test
  void aDatasetsImagesTakeTheFirstImagesShapeOrTheFixedOne() {
    try (DeepInput in = DeepInput.open(PixelInput.open(SharedSpark.session(), "demo",
        new ImageFrames.Selection(30, 1L), PixelInput.Options.of("auto"), null))) {
      assertEquals(new Shape(1, 28, 28), in.shape());
      assertEquals(30, in.images().size());
      assertEquals(784, in.images().floatsPerImage());
    }
    try (DeepInput in = DeepInput.open(PixelInput.open(SharedSpark.session(), "demo",
        new ImageFrames.Selection(5, 1L), PixelInput.Options.of("auto"),
        new ImageShape(3, 16, 16)))) {
      assertEquals(new Shape(3, 16, 16), in.shape());
      assertEquals(3 * 16 * 16, in.images().floatsPerImage());
    }
    assertEquals(new ImageShape(3, 32, 32), DeepInput.imageShape(new Shape(3, 32, 32)));
  }

  @Test
  void optionsOfTheOtherKindAreSettingErrors() throws IOException {
    SettingException shapeOfDataset = assertThrows(SettingException.class,
        () -> PixelInput.open(SharedSpark.session(), "demo", ImageFrames.Selection.ALL,
            new PixelInput.Options("auto", 0, 0, new ImageShape(1, 28, 28), null, null), null));
    assertTrue(shapeOfDataset.getMessage().contains("is an image dataset"),
        shapeOfDataset.getMessage());
    Path csv = tmp.resolve("t.csv");
    Files.writeString(csv, "label,s0,s1\n1,0,0.5\n");
    SettingException sizeOfTable = assertThrows(SettingException.class,
        () -> PixelInput.open(SharedSpark.session(), csv.toString(), ImageFrames.Selection.ALL,
            new PixelInput.Options("auto", 0, 8, null, null, null), null));
    assertTrue(sizeOfTable.getMessage().contains("is a feature table"), sizeOfTable.getMessage());
  }
}
