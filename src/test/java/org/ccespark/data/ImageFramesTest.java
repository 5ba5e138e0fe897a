package org.ccespark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.sql.Row;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.LabeledImage;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

class ImageFramesTest {

  /** An in-memory dataset of 1 x 2 RGB images; image i has samples i, 2i, ..., 6i. */
  private record Tiny(List<LabeledImage> images) implements ImageDataset {
    static Tiny of(int... labels) {
      LabeledImage[] out = new LabeledImage[labels.length];
      for (int i = 0; i < labels.length; i++) {
        byte[] px = new byte[6];
        for (int p = 0; p < 6; p++) {
          px[p] = (byte) ((p + 1) * i * 40);
        }
        out[i] = new LabeledImage("img" + i, labels[i], new Image(1, 2, 3, px));
      }
      return new Tiny(List.of(out));
    }

    @Override
    public String name() {
      return "tiny";
    }

    @Override
    public int size() {
      return images.size();
    }

    @Override
    public List<String> classNames() {
      return List.of();
    }

    @Override
    public LabeledImage get(int index) {
      return images.get(index);
    }

    @Override
    public void close() {}
  }

  @Test
  void selectionIsFirstNOrASeededSampleInDatasetOrder() {
    assertArrayEquals(new int[] {0, 1, 2}, new ImageFrames.Selection(3, null).indices(10));
    assertArrayEquals(new int[] {0, 1, 2, 3}, ImageFrames.Selection.ALL.indices(4));
    assertArrayEquals(new int[] {0, 1, 2, 3}, new ImageFrames.Selection(9, 5L).indices(4));
    int[] a = new ImageFrames.Selection(50, 7L).indices(1000);
    assertArrayEquals(a, new ImageFrames.Selection(50, 7L).indices(1000), "seeded");
    assertFalse(Arrays.equals(a, new ImageFrames.Selection(50, 8L).indices(1000)));
    assertEquals(50, Arrays.stream(a).distinct().count());
    for (int i = 1; i < a.length; i++) {
      assertTrue(a[i - 1] < a[i], "in dataset order");
    }
    // Each index is picked with probability n/N: over 400 seeds, 2 of 10 are picked about 80 times.
    int[] hits = new int[10];
    for (long s = 0; s < 400; s++) {
      for (int i : new ImageFrames.Selection(2, s).indices(10)) {
        hits[i]++;
      }
    }
    for (int h : hits) {
      assertTrue(h > 50 && h < 115, "uniform sample: " + Arrays.toString(hits));
    }
    assertThrows(IllegalArgumentException.class, () -> new ImageFrames.Selection(-1, null));
  }

  @Test
  void pixelsScaledToUnitRangeUnknownLabelsNull() {
    LoadedInput in = ImageFrames.load(SharedSpark.session(), Tiny.of(2, -1, 0), ImageFrames.Selection.ALL,
        2, true);
    assertEquals(3, in.numRows());
    assertEquals(6, in.numFeatures());
    assertTrue(in.hasLabel());
    assertEquals(List.of("row", "label", "features", "id"), List.of(in.data().columns()));
    List<Row> rows = in.data().orderBy("row").collectAsList();
    assertEquals(2, rows.get(0).getInt(1));
    assertNull(rows.get(1).get(1));
    assertEquals("img2", rows.get(2).getString(3));
    double[] x = ((DenseVector) rows.get(2).get(2)).values();
    for (int p = 0; p < 6; p++) {
      assertEquals(((p + 1) * 80 & 0xff) / 255.0, x[p], 0.0);
    }
    LoadedInput unlabelled = ImageFrames.load(SharedSpark.session(), Tiny.of(-1, -1),
        ImageFrames.Selection.ALL, 1, false);
    assertFalse(unlabelled.hasLabel());
    assertEquals(List.of("row", "features"), List.of(unlabelled.data().columns()));
  }

  @Test
  void imagesOfDifferentSizesAreNamed() {
    Tiny two = Tiny.of(0, 1);
    ImageDataset mixed = new Tiny(List.of(two.get(0),
        new LabeledImage("big", 1, new Image(2, 2, 1, new byte[4]))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageFrames.load(SharedSpark.session(), mixed, ImageFrames.Selection.ALL, 1, false));
    assertTrue(e.getMessage().contains("Image big of tiny is 2 x 2 x 1 but image img0 is 1 x 2 x 3"),
        e.getMessage());
  }
}
