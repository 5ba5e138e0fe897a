package org.ccespark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feature tables of pixel vectors read onto the driver: layout, shapes, and what is refused. */
class PixelTableTest {
  @TempDir
  Path tmp;

  @Test
  void pixelsGoChannelMajorWithLabelsAndIds() throws IOException {
    Path csv = tmp.resolve("rgb.csv");
    Files.writeString(csv, "id,label,s0,s1,s2,s3,s4,s5\n"
        + "first,4,0.1,0.2,0.3,0.4,0.5,0.6\n"
        + "second,,1,0,0.5,0.25,0.75,0\n");
    PixelTable t = PixelTable.read(SharedSpark.session(), csv.toString(),
        ImageFrames.Selection.ALL, "auto", null, null, ImageShape.parse("3,1,2", "s"));
    assertEquals(2, t.size());
    assertEquals(new ImageShape(3, 1, 2), t.shape());
    assertArrayEquals(new float[] {0.1f, 0.4f, 0.2f, 0.5f, 0.3f, 0.6f,
        1f, 0.25f, 0f, 0.75f, 0.5f, 0f}, t.pixels());
    assertArrayEquals(new int[] {4, -1}, t.labels());
    assertArrayEquals(new String[] {"first", "second"}, t.ids());
    assertTrue(t.name().contains(csv.toString()), t.name());
  }

  @Test
  void shapesAreInferredParsedAndChecked() throws IOException {
    Path csv = tmp.resolve("six.csv");
    Files.writeString(csv, "label,s0,s1,s2,s3,s4,s5\n1,0,0,0,0,0,0\n");
    SettingException none = assertThrows(SettingException.class, () -> PixelTable.read(
        SharedSpark.session(), csv.toString(), ImageFrames.Selection.ALL, "auto", null, null,
        null));
    assertTrue(none.getMessage().contains("not a standard image size"), none.getMessage());
    SettingException wrong = assertThrows(SettingException.class, () -> PixelTable.read(
        SharedSpark.session(), csv.toString(), ImageFrames.Selection.ALL, "auto", null, null,
        new ImageShape(1, 28, 28)));
    assertTrue(wrong.getMessage().contains("Image shape (1, 28, 28) has 784 values"),
        wrong.getMessage());
    assertEquals(new ImageShape(1, 28, 28), PixelTable.STANDARD_SHAPES.get(784));
    for (String bad : new String[] {"2,4,4", "3,0,4", "3,4", "a,b,c"}) {
      SettingException e = assertThrows(SettingException.class,
          () -> ImageShape.parse(bad, "--image-shape"));
      assertTrue(e.getMessage().startsWith("--image-shape expects C,H,W"), e.getMessage());
    }
    assertTrue(PixelTable.isTable(csv.toString(), "auto"));
    assertTrue(PixelTable.isTable("anything", "parquet"));
    assertFalse(PixelTable.isTable("demo", "auto"));
  }

  @Test
  void aPixelOutsideTheUnitIntervalNamesItsRow() throws IOException {
    Path csv = tmp.resolve("bad.csv");
    Files.writeString(csv, "label,s0,s1\n1,0,0.5\n2,0,2\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PixelTable.read(SharedSpark.session(), csv.toString(), ImageFrames.Selection.ALL,
            "auto", null, null, new ImageShape(1, 1, 2)));
    assertTrue(e.getMessage().startsWith("Row 1 of"), e.getMessage());
  }
}
