/**
 * Image dataset readers with no Spark types: IDX (MNIST, Fashion-MNIST), CIFAR-10/100 and STL-10
 * binary files, and folders of PNG/JPEG images, all behind {@link
 * org.ccespark.data.images.ImageDataset} (random access to {@link
 * org.ccespark.data.images.LabeledImage}s holding 8-bit HWC {@link
 * org.ccespark.data.images.Image}s). {@link org.ccespark.data.images.ImageDatasets#open} opens
 * a path by format, and {@link org.ccespark.data.images.DatasetCatalog} the named datasets.
 */
package org.ccespark.data.images;
