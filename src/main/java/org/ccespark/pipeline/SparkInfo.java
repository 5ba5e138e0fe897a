package org.ccespark.pipeline;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark a run used, for its metrics file.
 *
 * @param version Spark's version
 * @param master the master URL
 * @param appName the application's name
 * @param applicationId the application's id
 * @param defaultParallelism Spark's default parallelism
 */
public record SparkInfo(String version, String master, String appName, String applicationId,
    int defaultParallelism) {

  /** The session's version, master, application and default parallelism. */
  public static SparkInfo of(SparkSession spark) {
    return new SparkInfo(spark.version(), spark.sparkContext().master(),
        spark.sparkContext().appName(), spark.sparkContext().applicationId(),
        spark.sparkContext().defaultParallelism());
  }
}
