package org.ccespark.data.images;

import java.util.List;

/**
 * A fixed, ordered collection of images with random access, as read from dataset files. Indices run
 * from 0 to {@code size() - 1} in the files' order; the same files always give the same order, ids
 * and labels. {@link #get} may be called from several threads at once.
 *
 * <p>Close the dataset when done: readers that read records from disk on demand hold the file open.
 */
public interface ImageDataset extends AutoCloseable {

  /**
   * A short name: the catalog name, or the file or folder name the dataset was read from.
   *
   * @return the name
   */
  String name();

  /**
   * Number of images.
   *
   * @return the size, at least 0
   */
  int size();

  /**
   * The class names, indexed by label; empty when the dataset does not name its classes (labels
   * may still be known).
   *
   * @return an unmodifiable list
   */
  List<String> classNames();

  /**
   * One image.
   *
   * @param index from 0 to {@code size() - 1}
   * @return the image with its id and label
   * @throws IndexOutOfBoundsException if the index is out of range
   * @throws java.io.UncheckedIOException if the image cannot be read; the message names the file
   *     and the index
   */
  LabeledImage get(int index);

  /**
   * Releases open files; a no-op for datasets held in memory.
   *
   * @throws java.io.UncheckedIOException if a file cannot be closed
   */
  @Override
  void close();
}
