package org.ccespark.pipeline;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Map;
import org.ccespark.report.Stats;

/**
 * The {@code metrics.json} of the demo ({@code cce demo}): every run's scores and the summary per
 * method.
 *
 * @param command {@code demo}
 * @param data the bundled sample
 * @param k the number of clusters
 * @param seeds the number of seeds, 1..seeds
 * @param methods per method ({@code cce}, {@code kmeans}): the summary and the runs
 * @param seconds the whole run's wall-clock seconds
 * @param spark the Spark that ran it
 */
public record DemoMetrics(String command, Data data, int k, int seeds,
    Map<String, MethodRuns> methods, Seconds seconds, SparkInfo spark) {

  /**
   * The data set.
   *
   * @param name what it is
   * @param rows its rows
   * @param features features per row
   * @param classes its classes
   */
  public record Data(String name, int rows, int features, int classes) {}

  /**
   * One method's runs: each score's mean, sample standard deviation and value per seed.
   *
   * @param acc ACC over the seeds
   * @param nmi NMI over the seeds
   * @param ari ARI over the seeds
   * @param runs every run, seed by seed
   */
  public record MethodRuns(Summary acc, Summary nmi, Summary ari, List<Run> runs) {
    /** The summaries of the runs' scores. */
    public static MethodRuns of(List<Run> runs) {
      return new MethodRuns(Summary.of(runs.stream().mapToDouble(r -> r.scores().acc()).toArray()),
          Summary.of(runs.stream().mapToDouble(r -> r.scores().nmi()).toArray()),
          Summary.of(runs.stream().mapToDouble(r -> r.scores().ari()).toArray()), runs);
    }

    /** The mean fit seconds of the runs. */
    public double meanFitSeconds() {
      return Stats.mean(runs.stream().mapToDouble(Run::fitSeconds).toArray());
    }
  }

  /**
   * A score over the seeds.
   *
   * @param mean its mean
   * @param std its sample standard deviation
   * @param perSeed its value per seed
   */
  public record Summary(double mean, double std, double[] perSeed) {
    static Summary of(double[] values) {
      return new Summary(Stats.mean(values), Stats.std(values), values);
    }

    /** {@code mean ± std}, as the demo prints it. */
    public String meanStd() {
      return Stats.meanStd(perSeed);
    }
  }

  /**
   * One fit.
   *
   * @param seed its seed
   * @param scores its ACC, NMI, ARI against the true digits
   * @param fitSeconds wall-clock seconds of the fit
   * @param clusterSizes rows per cluster
   * @param training what the method reports about its training
   * @param params every param of the estimator with its value
   */
  public record Run(long seed, @JsonUnwrapped Scores scores, double fitSeconds,
      long[] clusterSizes, @JsonUnwrapped Training training, Map<String, Object> params) {}

  /**
   * Wall-clock seconds.
   *
   * @param total of the whole run
   */
  public record Seconds(double total) {}
}
