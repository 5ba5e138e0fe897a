/**
 * The command-line application: {@link org.ccespark.app.Main} is the main class for
 * {@code spark-submit} and for the local launcher {@code submit/cce}. Its subcommands are
 * {@code cluster} (read a feature file with {@link org.ccespark.data.FeatureInput}, fit collision
 * cross-entropy clustering or MLlib K-means, write predictions, metrics and the model) and
 * {@code demo} (both methods on the bundled MNIST sample over several seeds, with a table of
 * ACC/NMI/ARI). Option parsing is hand-written in {@link org.ccespark.app.CommandLine}; every output
 * folder is written beside its destination and renamed into place only when complete
 * ({@link org.ccespark.output.OutputDir}). Nothing here is API: use {@code org.ccespark.ml} from code.
 */
package org.ccespark.app;
