package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.junit.jupiter.api.Test;

/** The default augmentations and {@code NONE} on real digits and a synthetic colour image. */
class ImageAugmentationTest {
  /** A 3 × 32 × 32 colour image in [0, 1] with structure in every channel (no symmetry). */
  static float[] colourImage() {
    float[] img = new float[3 * 32 * 32];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          double v = 0.5 + 0.45 * Math.sin(0.21 * x * (c + 1) + 0.13 * y + c)
              * Math.cos(0.05 * x * y);
          img[(c * 32 + y) * 32 + x] = (float) v;
        }
      }
    }
    return img;
  }

  /** The first demo digits as 1 × 28 × 28 floats (the demo sample is MNIST's first digits). */
  static float[][] digits(int n) {
    try (ImageDataset demo = DatasetCatalog.open("demo")) {
      float[][] out = new float[n][];
      for (int i = 0; i < n; i++) {
        out[i] = ImageTensors.toChw(demo.get(i).image(), 1, 28, 28);
      }
      return out;
    }
  }

  private static void assertInUnitRange(float[] img, String what) {
    for (int k = 0; k < img.length; k++) {
      assertTrue(img[k] >= 0 && img[k] <= 1, what + " value " + k + " = " + img[k]);
    }
  }

  private static List<ImageAugmentation> defaults() {
    return List.of(ImageAugmentation.defaultFor(1, 28, 28), ImageAugmentation.defaultFor(3, 32,
        32));
  }

  @Test
  void sameSeedSameOutputOtherSeedOtherOutput() {
    float[][] inputs = {digits(1)[0], colourImage()};
    int[] channels = {1, 3};
    int[] sides = {28, 32};
    for (int i = 0; i < 2; i++) {
      ImageAugmentation aug = defaults().get(i);
      float[] a = new float[inputs[i].length];
      float[] b = new float[inputs[i].length];
      float[] other = new float[inputs[i].length];
      aug.apply(inputs[i], a, channels[i], sides[i], sides[i], new SplittableRandom(7));
      aug.apply(inputs[i], b, channels[i], sides[i], sides[i], new SplittableRandom(7));
      aug.apply(inputs[i], other, channels[i], sides[i], sides[i], new SplittableRandom(8));
      assertArrayEquals(a, b, aug.toString());
      assertFalse(Arrays.equals(a, other), aug.toString());
      assertFalse(Arrays.equals(a, inputs[i]), aug + " changed the image");
    }
  }

  @Test
  void outputsStayInTheUnitRangeWithTheShapeKept() {
    float[][] digits = digits(20);
    SplittableRandom random = new SplittableRandom(1);
    for (float[] digit : digits) {
      float[] out = new float[28 * 28];
      ImageAugmentation.defaultFor(1, 28, 28).apply(digit, out, 1, 28, 28, random);
      assertInUnitRange(out, "digit");
    }
    // Extreme inputs: all ones (contrast and saturation could push past 1 without clipping).
    float[] ones = new float[3 * 32 * 32];
    Arrays.fill(ones, 1f);
    float[] colour = colourImage();
    for (int s = 0; s < 50; s++) {
      for (float[] in : List.of(ones, colour)) {
        float[] out = new float[in.length + 5];
        Arrays.fill(out, -7f);
        ImageAugmentation.defaultFor(3, 32, 32).apply(in, 0, out, 5, 3, 32, 32, random);
        assertInUnitRange(Arrays.copyOfRange(out, 5, out.length), "colour");
        assertArrayEquals(new float[] {-7f, -7f, -7f, -7f, -7f}, Arrays.copyOf(out, 5),
            "nothing written outside the image");
      }
    }
    // A non-square colour image (STL-10-like sides) keeps its shape and range.
    float[] wide = new float[3 * 24 * 40];
    for (int k = 0; k < wide.length; k++) {
      wide[k] = (k % 17) / 16f;
    }
    float[] out = new float[wide.length];
    ImageAugmentation.defaultFor(3, 24, 40).apply(wide, out, 3, 24, 40, random);
    assertInUnitRange(out, "wide");
    assertEquals(3, ((ColourAugmentation) ImageAugmentation.defaultFor(3, 24, 40)).padding());
  }

  @Test
  void zeroStrengthIsTheIdentityAndNoneCopies() {
    float[] digit = digits(1)[0];
    float[] colour = colourImage();
    float[] out = new float[digit.length];
    new RandomAffine(0, 1, 1, 0).apply(digit, out, 1, 28, 28, new SplittableRandom(3));
    assertArrayEquals(digit, out);
    float[] outColour = new float[colour.length];
    new ColourAugmentation(0, 0, 0, 0, 0).apply(colour, outColour, 3, 32, 32,
        new SplittableRandom(3));
    assertArrayEquals(colour, outColour);
    Arrays.fill(outColour, 0);
    ImageAugmentation.NONE.apply(colour, outColour, 3, 32, 32, new SplittableRandom(3));
    assertArrayEquals(colour, outColour);
  }

  @Test
  void forcedFlipMirrorsEveryRowOfEveryChannel() {
    float[] colour = colourImage();
    float[] out = new float[colour.length];
    new ColourAugmentation(0, 1, 0, 0, 0).apply(colour, out, 3, 32, 32, new SplittableRandom(4));
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          assertEquals(colour[(c * 32 + y) * 32 + 31 - x], out[(c * 32 + y) * 32 + x]);
        }
      }
    }
    // With p = 0.5 about half of many draws flip.
    int flips = 0;
    ColourAugmentation half = new ColourAugmentation(0, 0.5, 0, 0, 0);
    SplittableRandom random = new SplittableRandom(5);
    for (int s = 0; s < 400; s++) {
      half.apply(colour, out, 3, 32, 32, random);
      flips += out[0] == colour[31] ? 1 : 0;
    }
    assertTrue(flips > 160 && flips < 240, flips + " flips in 400");
  }

  @Test
  void cropShiftsByAtMostThePaddingWithBlackFill() {
    float[] colour = colourImage();
    float[] out = new float[colour.length];
    ColourAugmentation crop = new ColourAugmentation(4, 0, 0, 0, 0);
    SplittableRandom random = new SplittableRandom(6);
    int shifted = 0;
    for (int s = 0; s < 30; s++) {
      crop.apply(colour, out, 3, 32, 32, random);
      // Find the shift that explains the output exactly.
      boolean found = false;
      for (int dy = -4; dy <= 4 && !found; dy++) {
        for (int dx = -4; dx <= 4 && !found; dx++) {
          found = explains(colour, out, dy, dx);
          shifted += found && (dy != 0 || dx != 0) ? 1 : 0;
        }
      }
      assertTrue(found, "draw " + s + " is a shift within ±4 with black fill");
    }
    assertTrue(shifted > 20, "most draws move the image: " + shifted);
  }

  private static boolean explains(float[] in, float[] out, int dy, int dx) {
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          int sy = y + dy;
          int sx = x + dx;
          float expected = sy >= 0 && sy < 32 && sx >= 0 && sx < 32 ? in[(c * 32 + sy) * 32 + sx]
              : 0f;
          if (out[(c * 32 + y) * 32 + x] != expected) {
            return false;
          }
        }
      }
    }
    return true;
  }

  @Test
  void greyDigitsAreMovedButNeverMirrored() {
    ImageAugmentation aug = ImageAugmentation.defaultFor(1, 28, 28);
    assertInstanceOf(RandomAffine.class, aug);
    // A blob right of the centre stays right of it in every draw (a mirror would move it left;
    // ±15°, scale ≥ 0.9 and shifts ≤ 2 keep its centroid beyond 8·0.9·cos 15° − 2 ≈ 4.9).
    float[] blob = new float[28 * 28];
    for (int y = 12; y <= 15; y++) {
      for (int x = 20; x <= 23; x++) {
        blob[y * 28 + x] = 1f;
      }
    }
    float[] out = new float[blob.length];
    SplittableRandom random = new SplittableRandom(9);
    for (int s = 0; s < 200; s++) {
      aug.apply(blob, out, 1, 28, 28, random);
      double x = 0;
      double mass = 0;
      for (int k = 0; k < out.length; k++) {
        x += out[k] * (k % 28 - 13.5);
        mass += out[k];
      }
      assertTrue(x / mass > 4.5, "draw " + s + ": centroid at x offset " + x / mass);
    }
    // Real digits are changed, and on average stay much closer to themselves than to their
    // mirror images.
    float[][] digits = digits(30);
    int changed = 0;
    double toDigit = 0;
    double toMirror = 0;
    for (float[] d : digits) {
      float[] mirror = new float[d.length];
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          mirror[y * 28 + x] = d[y * 28 + 27 - x];
        }
      }
      aug.apply(d, out, 1, 28, 28, random);
      changed += Arrays.equals(out, d) ? 0 : 1;
      toDigit += correlation(out, d) / digits.length;
      toMirror += correlation(out, mirror) / digits.length;
    }
    assertEquals(digits.length, changed);
    assertTrue(toDigit > toMirror + 0.15, "mean correlation " + toDigit + " with the digits, "
        + toMirror + " with their mirror images");
  }

  private static double correlation(float[] a, float[] b) {
    double ma = 0;
    double mb = 0;
    for (int k = 0; k < a.length; k++) {
      ma += a[k];
      mb += b[k];
    }
    ma /= a.length;
    mb /= b.length;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int k = 0; k < a.length; k++) {
      sab += (a[k] - ma) * (b[k] - mb);
      saa += (a[k] - ma) * (a[k] - ma);
      sbb += (b[k] - mb) * (b[k] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  @Test
  void affineRotatesAndScalesAboutTheCentre() {
    // A 3 × 3 blob 8 pixels right of the centre of a 29 × 29 image: a rotation by the drawn angle
    // (the first draw) turns its centroid by that angle about the centre; a scale of 1.1 moves
    // it 1.1 times as far out.
    float[] img = new float[29 * 29];
    for (int y = 13; y <= 15; y++) {
      for (int x = 21; x <= 23; x++) {
        img[y * 29 + x] = 1f;
      }
    }
    float[] out = new float[img.length];
    for (long seed = 0; seed < 5; seed++) {
      double angle = (2 * new SplittableRandom(seed).nextDouble() - 1) * 40;
      new RandomAffine(40, 1, 1, 0).apply(img, out, 1, 29, 29, new SplittableRandom(seed));
      double[] c = centroid(out, 29);
      assertEquals(8, Math.hypot(c[0], c[1]), 0.1, "seed " + seed);
      assertEquals(Math.abs(angle), Math.toDegrees(Math.abs(Math.atan2(c[0], c[1]))), 1.0,
          "seed " + seed);
    }
    new RandomAffine(0, 1.1, 1.1, 0).apply(img, out, 1, 29, 29, new SplittableRandom(1));
    double[] c = centroid(out, 29);
    assertEquals(8.8, c[1], 0.1); // sampling a scaled box shifts its centroid a little
    assertEquals(0, c[0], 1e-6);
  }

  /** Centroid (dy, dx) relative to the centre of a square image. */
  private static double[] centroid(float[] img, int side) {
    double mass = 0;
    double sy = 0;
    double sx = 0;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        float v = img[y * side + x];
        mass += v;
        sy += v * (y - (side - 1) / 2.0);
        sx += v * (x - (side - 1) / 2.0);
      }
    }
    return new double[] {sy / mass, sx / mass};
  }

  @Test
  void affineShiftMovesByWholePixels() {
    // Deterministic check without searching: shift only, a known integer move.
    RandomAffine shift = new RandomAffine(0, 1, 1, 2);
    float[] digit = digits(1)[0];
    float[] moved = new float[digit.length];
    shift.apply(digit, moved, 1, 28, 28, new SplittableRandom(12));
    boolean found = false;
    for (int dy = -2; dy <= 2 && !found; dy++) {
      for (int dx = -2; dx <= 2 && !found; dx++) {
        boolean all = true;
        for (int y = 0; y < 28 && all; y++) {
          for (int x = 0; x < 28 && all; x++) {
            int sy = y - dy;
            int sx = x - dx;
            float expected = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? digit[sy * 28 + sx] : 0f;
            all = moved[y * 28 + x] == expected;
          }
        }
        found = all;
      }
    }
    assertTrue(found, "a pure shift moves the digit by whole pixels within ±2");
  }

  @Test
  void batchesUseOneDrawPerImageInOrder() {
    float[] colour = colourImage();
    float[] batch = new float[3 * colour.length];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(colour, 0, batch, i * colour.length, colour.length);
    }
    ImageAugmentation aug = ImageAugmentation.defaultFor(3, 32, 32);
    float[] out = new float[batch.length];
    aug.applyBatch(batch, out, 3, 3, 32, 32, new SplittableRandom(13));
    SplittableRandom one = new SplittableRandom(13);
    float[] single = new float[colour.length];
    for (int i = 0; i < 3; i++) {
      aug.apply(colour, single, 3, 32, 32, one);
      assertArrayEquals(single, Arrays.copyOfRange(out, i * colour.length,
          (i + 1) * colour.length), "image " + i);
    }
  }

  @Test
  void noAllocationPerPixel() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    float[] colour = colourImage();
    float[] out = new float[colour.length];
    float[] digit = digits(1)[0];
    float[] outDigit = new float[digit.length];
    ImageAugmentation colourAug = ImageAugmentation.defaultFor(3, 32, 32);
    ImageAugmentation digitAug = ImageAugmentation.defaultFor(1, 28, 28);
    SplittableRandom random = new SplittableRandom(14);
    for (int s = 0; s < 300; s++) { // warm up the compiler
      colourAug.apply(colour, out, 3, 32, 32, random);
      digitAug.apply(digit, outDigit, 1, 28, 28, random);
    }
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    for (int s = 0; s < 1000; s++) {
      colourAug.apply(colour, out, 3, 32, 32, random);
      digitAug.apply(digit, outDigit, 1, 28, 28, random);
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    // One object per pixel would be 3,856 pixels × 16 bytes × 1,000 calls, over 60 MB.
    assertTrue(allocated < 200_000, allocated + " bytes allocated in 2,000 calls");
  }

  @Test
  void badArgumentsFailNamingThem() {
    String m = assertThrows(IllegalArgumentException.class,
        () -> ImageAugmentation.defaultFor(2, 28, 28)).getMessage();
    assertTrue(m.contains("got 2"), m);
    m = assertThrows(IllegalArgumentException.class, () -> new RandomAffine(-1, 1, 1, 0))
        .getMessage();
    assertTrue(m.contains("rotation"), m);
    m = assertThrows(IllegalArgumentException.class, () -> new RandomAffine(10, 1.2, 1.1, 0))
        .getMessage();
    assertTrue(m.contains("1.2 to 1.1"), m);
    m = assertThrows(IllegalArgumentException.class,
        () -> new ColourAugmentation(2, 1.5, 0, 0, 0)).getMessage();
    assertTrue(m.contains("Flip probability") && m.contains("1.5"), m);
    m = assertThrows(IllegalArgumentException.class,
        () -> new ColourAugmentation(2, 0.5, 0, Double.NaN, 0)).getMessage();
    assertTrue(m.contains("Contrast jitter"), m);
    float[] img = new float[2 * 3 * 4 * 4];
    m = assertThrows(IllegalArgumentException.class, () -> RandomAffine.DIGITS.apply(img, 0, img,
        8, 3, 4, 4, new SplittableRandom(1))).getMessage();
    assertTrue(m.contains("overlap"), m);
    m = assertThrows(IllegalArgumentException.class, () -> RandomAffine.DIGITS.apply(
        new float[48], new float[10], 3, 4, 4, new SplittableRandom(1))).getMessage();
    assertTrue(m.contains("Output array of 10 floats"), m);
  }
}
