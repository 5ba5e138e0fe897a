package org.ccespark.bench;

/**
 * What one benchmark measured.
 *
 * @param name the benchmark's name ({@code em-vs-pgd}, {@code kernel}, {@code end-to-end},
 *     {@code scale-out}, {@code features}, {@code deep})
 * @param table the printed table
 * @param json its settings and figures as a record, written into {@code bench.json} by Jackson
 *     (each record component a field, in declaration order)
 * @param <R> the benchmark's report record
 */
public record BenchResult<R>(String name, String table, R json) {}
