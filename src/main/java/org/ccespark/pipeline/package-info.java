/**
 * One fit-and-score pipeline for the command line and the experiments: read and validate a feature
 * table, fit CCE (or one of its baseline methods) or MLlib K-means, predict, score the predictions
 * against the labels (ACC, NMI, ARI: {@link org.ccespark.pipeline.Scores}, computed by
 * {@link org.ccespark.eval.ClusteringMetrics}) and write the outputs through a
 * {@link org.ccespark.pipeline.OutputSink}. Results are records, written as JSON with Jackson.
 */
package org.ccespark.pipeline;
