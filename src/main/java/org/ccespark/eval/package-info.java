/**
 * External evaluation of clusterings against true labels: an O(n³) Hungarian assignment solver,
 * contingency tables, and the accuracy (ACC), normalised mutual information (NMI) and adjusted Rand
 * index (ARI) computed from them. Plain Java with no Spark dependency; the Spark ML wrapper is
 * {@code org.ccespark.ml.ClusteringMetricsEvaluator}.
 */
package org.ccespark.eval;
