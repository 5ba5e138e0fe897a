package org.ccespark.bench;

import java.util.Map;

/**
 * What one benchmark measured.
 *
 * @param name the benchmark's name ({@code em-vs-pgd}, {@code kernel}, {@code end-to-end})
 * @param table the printed table
 * @param json its settings and figures, for {@code bench.json}
 */
public record BenchResult(String name, String table, Map<String, Object> json) {}
