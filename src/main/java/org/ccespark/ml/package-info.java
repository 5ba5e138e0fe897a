/**
 * The public Spark ML API: the {@link org.ccespark.ml.CollisionClustering} estimator, which clusters
 * feature vectors by self-labeling with the collision cross-entropy loss, its
 * {@link org.ccespark.ml.CollisionClusteringModel} with a training summary, and the
 * {@link org.ccespark.ml.ClusteringMetricsEvaluator} scoring clusters against true labels.
 * They follow MLlib's conventions (params shared by estimator and model, {@code fit} validates the
 * schema, metadata plus Parquet model data on save), so they work inside a
 * {@link org.apache.spark.ml.Pipeline}.
 */
package org.ccespark.ml;
