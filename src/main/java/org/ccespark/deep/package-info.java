/**
 * Deep clustering (the paper's sections 5.2 and 5.3, Algorithm 2 with a network, appendix E): a
 * network ({@link org.ccespark.deep.DeepNetwork}: backbone plus the linear softmax head) trained by
 * DJL on the driver's GPU or CPU jointly with pseudo-labels solved per batch by the self-labeling
 * objectives of {@link org.ccespark.selflabel}, with self-augmentation, Adam and per-epoch
 * checkpoints. No Spark types: the command line feeds it images read by
 * {@link org.ccespark.data.images} or a feature table of pixels read by
 * {@link org.ccespark.data.PixelInput} ({@link org.ccespark.deep.DeepInput}).
 */
package org.ccespark.deep;
