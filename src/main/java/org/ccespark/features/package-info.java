/**
 * Image features with DJL's PyTorch engine: the engine's offline set-up and device choice
 * ({@link org.ccespark.features.DjlEngine}), the preprocessing a CNN expects
 * ({@link org.ccespark.features.Preprocessing}, torchvision's with Pillow's antialiased resize,
 * {@link org.ccespark.features.AntialiasedResize}; the deep trainer's plain bilinear resize is
 * {@link org.ccespark.features.BilinearResize}), models (a TorchScript file, refused when it gives
 * ImageNet class scores, or a named random-weight ResNet-50 for testing) run batch by batch with
 * native memory released per batch ({@link org.ccespark.features.FeatureExtractor}), extraction
 * from an image dataset on the driver or in executors
 * ({@link org.ccespark.features.ImageFeatures}), and the Spark ML
 * {@link org.ccespark.features.ImageFeatureTransformer}.
 */
package org.ccespark.features;
