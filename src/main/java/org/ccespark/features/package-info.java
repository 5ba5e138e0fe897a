/**
 * Image features with DJL's PyTorch engine: the engine's offline set-up and device choice
 * ({@link org.ccespark.features.DjlEngine}), the preprocessing a CNN expects
 * ({@link org.ccespark.features.Preprocessing}, with the bilinear resize it shares with the deep
 * trainer, {@link org.ccespark.features.BilinearResize}), models (a TorchScript file, DJL's
 * model-zoo ResNet-50, or a named random-weight ResNet-50 for testing) run batch by batch with
 * native memory released per batch ({@link org.ccespark.features.FeatureExtractor}), extraction
 * from an image dataset on the driver or in executors
 * ({@link org.ccespark.features.ImageFeatures}), and the Spark ML
 * {@link org.ccespark.features.ImageFeatureTransformer}.
 */
package org.ccespark.features;
