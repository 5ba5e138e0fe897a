/**
 * Turns user files (Parquet, CSV with a header row, LibSVM) and image datasets into the {@code
 * row}, {@code label}, {@code features} Dataset that the clustering estimator consumes, validating
 * the features with Spark jobs and failing with one-sentence messages that name the file, row and
 * column at fault. {@link org.ccespark.data.FeatureInput} reads feature files, {@link
 * org.ccespark.data.ImageFrames} turns an {@link org.ccespark.data.images.ImageDataset} into pixel
 * features, and {@link org.ccespark.data.DemoData} loads the bundled demo sample of 2,000 MNIST
 * digits (200 per class) in the same layout.
 */
package org.ccespark.data;
