package org.ccespark.data.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
  @TempDir Path dir;

  private static void png(Path file, BufferedImage img) throws IOException {
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(img, "png", file.toFile()));
  }

  private static BufferedImage grey(int w, int h, int base) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, (base + 10 * y + x) % 256);
      }
    }
    return img;
  }

  @Test
  void subFoldersAreClassesInSortedOrder() throws IOException {
    png(dir.resolve("cat/b.png"), grey(3, 2, 0));
    png(dir.resolve("cat/a.png"), grey(3, 2, 100));
    png(dir.resolve("ant/deeper/z.png"), grey(3, 2, 50));
    png(dir.resolve("loose.png"), grey(3, 2, 7));
    Files.writeString(dir.resolve("cat/notes.txt"), "not an image");
    png(dir.resolve(".hidden/x.png"), grey(3, 2, 1));
    try (ImageDataset d = ImageDatasets.open(dir.toString(), "auto")) {
      assertTrue(d instanceof ImageFolderDataset);
      assertEquals(List.of("ant", "cat"), d.classNames());
      assertEquals(4, d.size());
      assertEquals("ant/deeper/z.png", d.get(0).id());
      assertEquals(0, d.get(0).label());
      assertEquals("cat/a.png", d.get(1).id());
      assertEquals(1, d.get(1).label());
      assertEquals("cat/b.png", d.get(2).id());
      assertEquals("loose.png", d.get(3).id());
      assertEquals(LabeledImage.UNKNOWN, d.get(3).label());
      Image a = d.get(1).image();
      assertEquals(1, a.channels(), "greyscale stays one channel");
      assertEquals(2, a.height());
      assertEquals(3, a.width());
      assertEquals(100 + 10 + 2, a.sample(1, 2, 0));
    }
  }

  @Test
  void colourLosesAlphaAndKeepsRgb() throws IOException {
    BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x80112233);
    argb.setRGB(1, 0, 0xFFFFFFFF);
    png(dir.resolve("c/argb.png"), argb);
    BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(1, 1, 0x0A0B0C);
    assertTrue(ImageIO.write(rgb, "jpg", dir.resolve("c/rgb.JPG").toFile()));
    try (ImageDataset d = ImageDatasets.open(dir.toString(), "folder")) {
      Image a = d.get(0).image();
      assertEquals(3, a.channels());
      assertEquals(0x11, a.sample(0, 0, 0));
      assertEquals(0x22, a.sample(0, 0, 1));
      assertEquals(0x33, a.sample(0, 0, 2));
      assertEquals(255, a.sample(0, 1, 2));
      Image j = d.get(1).image();
      assertEquals("c/rgb.JPG", d.get(1).id());
      assertEquals(3, j.channels());
      assertEquals(2, j.height());
    }
  }

  @Test
  void corruptImageIsNamed() throws IOException {
    png(dir.resolve("a/good.png"), grey(2, 2, 0));
    Files.write(dir.resolve("a/bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    try (ImageDataset d = ImageDatasets.open(dir.toString(), "auto")) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> d.get(0));
      String message = e.getMessage() + " " + e.getCause().getMessage();
      assertTrue(message.contains(dir.resolve("a/bad.png") + " (image 0)"), message);
      assertEquals(2, d.get(1).image().width());
    }
  }

  @Test
  void emptyOrMissingFolderIsAnError() throws IOException {
    Files.writeString(dir.resolve("readme.txt"), "x");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(dir.toString(), "folder"));
    assertTrue(e.getMessage().contains("holds no .png, .jpg or .jpeg file"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(dir.resolve("nope").toString(), "folder"));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }
}
