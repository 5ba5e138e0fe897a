package org.ccespark.data.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR-10, CIFAR-100 and STL-10 binary files written here in their published layouts. */
class BinaryFormatsTest {
  @TempDir Path dir;

  /** The sample of image {@code i} at row y, column x, channel c: distinct for small images. */
  private static int sample(int i, int y, int x, int c) {
    return (i * 7 + y * 3 + x * 5 + c * 11) % 256;
  }

  /** A CIFAR record: label bytes, then the R, G, B planes of 32 x 32, each row-major. */
  private static byte[] cifarRecord(int i, int... labels) {
    byte[] r = new byte[labels.length + 3072];
    for (int k = 0; k < labels.length; k++) {
      r[k] = (byte) labels[k];
    }
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          r[labels.length + c * 1024 + y * 32 + x] = (byte) sample(i, y, x, c);
        }
      }
    }
    return r;
  }

  private static byte[] concat(List<byte[]> parts) {
    int n = parts.stream().mapToInt(p -> p.length).sum();
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  private static void assertSamples(Image im, int i, int side) {
    assertEquals(side, im.height());
    assertEquals(side, im.width());
    assertEquals(3, im.channels());
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(sample(i, y, x, c), im.sample(y, x, c), "y=" + y + " x=" + x + " c=" + c);
        }
      }
    }
  }

  @Test
  void cifar10BatchesAndFolder() throws IOException {
    // Two batches of 3 and 2 records, labels i % 10, plus the meta file's names.
    int i = 0;
    for (String batch : List.of("data_batch_1.bin", "data_batch_2.bin")) {
      List<byte[]> records = new ArrayList<>();
      for (int k = 0; k < (batch.endsWith("1.bin") ? 3 : 2); k++, i++) {
        records.add(cifarRecord(i, (i * 3) % 10));
      }
      Files.write(dir.resolve(batch), concat(records));
    }
    Files.writeString(dir.resolve("batches.meta.txt"),
        "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
    try (ImageDataset one = ImageDatasets.open(dir.resolve("data_batch_2.bin").toString(), "auto")) {
      assertTrue(one instanceof CifarDataset);
      assertEquals(2, one.size());
      LabeledImage im = one.get(1);
      assertEquals("data_batch_2.bin#1", im.id());
      assertEquals((4 * 3) % 10, im.label());
      assertSamples(im.image(), 4, 32);
      assertEquals("truck", one.classNames().get(9));
    }
    try (ImageDataset all = ImageDatasets.open(dir.toString(), "auto")) {
      assertEquals(5, all.size(), "a CIFAR-10 folder reads every data batch in order");
      for (int k = 0; k < 5; k++) {
        assertSamples(all.get(k).image(), k, 32);
        assertEquals((k * 3) % 10, all.get(k).label());
      }
      assertEquals("data_batch_2.bin#0", all.get(3).id());
    }
  }

  @Test
  void cifar100FineByDefaultCoarseOnRequest() throws IOException {
    Files.write(dir.resolve("train.bin"),
        concat(List.of(cifarRecord(0, 19, 99), cifarRecord(1, 4, 30))));
    List<String> fine = new ArrayList<>();
    for (int k = 0; k < 100; k++) {
      fine.add("fine" + k);
    }
    Files.write(dir.resolve("fine_label_names.txt"), fine);
    String train = dir.resolve("train.bin").toString();
    try (ImageDataset d = ImageDatasets.open(train, "auto")) {
      assertEquals(99, d.get(0).label());
      assertEquals(30, d.get(1).label());
      assertEquals("fine30", d.classNames().get(30));
      assertSamples(d.get(1).image(), 1, 32);
    }
    try (ImageDataset d = ImageDatasets.open(train, "cifar100-coarse")) {
      assertEquals(19, d.get(0).label());
      assertEquals(4, d.get(1).label());
      assertEquals(List.of(), d.classNames(), "no coarse_label_names.txt here");
    }
  }

  @Test
  void cifarErrorsNameFileAndRecord() throws IOException {
    Path batch = dir.resolve("test_batch.bin");
    byte[] two = concat(List.of(cifarRecord(0, 1), cifarRecord(1, 12)));
    Files.write(batch, two);
    try (ImageDataset d = ImageDatasets.open(batch.toString(), "auto")) {
      assertEquals(1, d.get(0).label());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.get(1));
      assertTrue(e.getMessage().contains("Record 1 (image 1) of " + batch), e.getMessage());
      assertTrue(e.getMessage().contains("label 12"), e.getMessage());
    }
    Files.write(batch, Arrays.copyOf(two, two.length - 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(batch.toString(), "cifar10"));
    assertTrue(e.getMessage().contains(batch + " has 6145 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("3073-byte records"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(dir.resolve("data_batch_9.bin").toString(), "cifar10"));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  /** An STL-10 image: the R, G, B planes of 96 x 96, each column-major. */
  private static byte[] stlImage(int i) {
    byte[] r = new byte[3 * 96 * 96];
    for (int c = 0; c < 3; c++) {
      for (int x = 0; x < 96; x++) {
        for (int y = 0; y < 96; y++) {
          r[c * 9216 + x * 96 + y] = (byte) sample(i, y, x, c);
        }
      }
    }
    return r;
  }

  @Test
  void stl10LabelledAndUnlabelled() throws IOException {
    Files.write(dir.resolve("train_X.bin"), concat(List.of(stlImage(0), stlImage(1), stlImage(2))));
    Files.write(dir.resolve("train_y.bin"), new byte[] {1, 10, 4});
    Files.write(dir.resolve("unlabeled_X.bin"), stlImage(5));
    Files.writeString(dir.resolve("class_names.txt"),
        "airplane\nbird\ncar\ncat\ndeer\ndog\nhorse\nmonkey\nship\ntruck\n");
    try (ImageDataset d = ImageDatasets.open(dir.resolve("train_X.bin").toString(), "auto")) {
      assertTrue(d instanceof Stl10Dataset);
      assertEquals(3, d.size());
      assertEquals(0, d.get(0).label());
      assertEquals(9, d.get(1).label(), "labels 1-10 become 0-9");
      assertEquals("cat", d.classNames().get(d.get(2).label()));
      assertEquals("train_X.bin#2", d.get(2).id());
      for (int k = 0; k < 3; k++) {
        assertSamples(d.get(k).image(), k, 96);
      }
    }
    try (ImageDataset d = ImageDatasets.open(dir.resolve("unlabeled_X.bin").toString(), "auto")) {
      assertEquals(1, d.size());
      assertEquals(LabeledImage.UNKNOWN, d.get(0).label());
      assertSamples(d.get(0).image(), 5, 96);
    }
  }

  @Test
  void stl10ErrorsNameTheFile() throws IOException {
    Path x = dir.resolve("test_X.bin");
    Files.write(x, concat(List.of(stlImage(0), stlImage(1))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(x.toString(), "auto"));
    assertTrue(e.getMessage().contains("no labels file test_y.bin"), e.getMessage());
    Path y = dir.resolve("test_y.bin");
    Files.write(y, new byte[] {3});
    e = assertThrows(IllegalArgumentException.class, () -> ImageDatasets.open(x.toString(), "stl10"));
    assertTrue(e.getMessage().contains(y + " has 1 labels but images file " + x + " has 2"),
        e.getMessage());
    Files.write(y, new byte[] {3, 0});
    e = assertThrows(IllegalArgumentException.class, () -> ImageDatasets.open(x.toString(), "stl10"));
    assertTrue(e.getMessage().contains("Label 1 of STL-10 labels file " + y + " is 0"),
        e.getMessage());
    Files.write(x, Arrays.copyOf(stlImage(0), 27_000));
    e = assertThrows(IllegalArgumentException.class, () -> ImageDatasets.open(x.toString(), "stl10"));
    assertTrue(e.getMessage().contains("not a whole number of 27648-byte records"), e.getMessage());
  }

  @Test
  void unknownFileNamesNeedAFormat() throws IOException {
    Path f = dir.resolve("pictures.dat");
    Files.write(f, new byte[10]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(f.toString(), "auto"));
    assertTrue(e.getMessage().contains("Cannot tell the image format of '" + f + "'"),
        e.getMessage());
  }
}
