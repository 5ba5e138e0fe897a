/**
 * Benchmarks behind the {@code bench} command (issue 3): the pseudo-label solvers against each other
 * as in the paper's Table 1 ({@link org.ccespark.bench.EmVsPgdBenchmark}), the throughput of one EM
 * iteration on a single thread ({@link org.ccespark.bench.KernelBenchmark}), and whole fits of CCE
 * and MLlib K-means on cached Gaussian blobs ({@link org.ccespark.bench.EndToEndBenchmark}).
 *
 * <p>Timing is wall-clock {@link java.lang.System#nanoTime()} after warm-up runs, over several
 * repetitions, reported as median with minimum and maximum ({@link org.ccespark.bench.Timing}).
 * Each benchmark returns a printable table and a JSON-ready map ({@link org.ccespark.bench.BenchResult}).
 */
package org.ccespark.bench;
