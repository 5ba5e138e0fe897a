/**
 * Tables and figures of the {@code experiment} command, with no Spark: {@link
 * org.ccespark.report.Table} (Markdown and CSV that parse back), {@link org.ccespark.report.Stats}
 * (mean and sample standard deviation), {@link org.ccespark.report.Charts} (line, grouped bar and
 * heat-map PNGs drawn with Java2D, headless) and {@link org.ccespark.report.Figures} (the paper's
 * Figure 1 computed from {@link org.ccespark.math.CrossEntropy}, confusion matrices ordered by
 * Hungarian matching). Depends on {@code math}, {@code eval} and the JDK only.
 */
package org.ccespark.report;
