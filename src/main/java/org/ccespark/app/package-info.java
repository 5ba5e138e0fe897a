/**
 * The command-line application: {@link org.ccespark.app.Main} is the main class for
 * {@code spark-submit} and for the local launcher {@code submit/cce}. Each subcommand ({@code
 * cluster}, {@code demo}, {@code bench}, {@code experiment}, {@code convert}, {@code extract},
 * {@code train-deep}) declares its options as picocli-annotated fields ({@link
 * org.ccespark.app.Cli}) and calls into the library ({@code pipeline}, {@code experiment},
 * {@code bench}, ...); every output
 * folder is written beside its destination and renamed into place only when complete
 * ({@link org.ccespark.output.OutputDir}). Nothing here is API: use {@code org.ccespark.ml} from code.
 */
package org.ccespark.app;
