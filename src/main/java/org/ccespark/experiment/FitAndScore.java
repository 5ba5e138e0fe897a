package org.ccespark.experiment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.data.FeatureInput;
import org.ccespark.eval.ContingencyTable;
import org.ccespark.pipeline.Clustering;
import org.ccespark.pipeline.Scores;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.ml.CollisionClusteringModel;
import org.ccespark.ml.CollisionClusteringSummary;
import org.ccespark.report.Figures;
import org.ccespark.report.RunRecord;

/**
 * The experiment's one fit and its scores: a method (the clustering estimator or MLlib K-means)
 * fitted on a dataset, its predictions on the same rows scored against the labels (ACC, NMI, ARI
 * and, with seed labels, the plain accuracy on the unlabelled rows), and the progress line.
 *
 * <p>Note: {@code app.ClusteringRun} fits and scores the same way for {@code cluster} and
 * {@code demo}; the two are to become one fit-and-score pipeline (issue 16, item 2).
 */
final class FitAndScore {
  /** The prediction column of the fitted models. */
  static final String PREDICTION_COL = "prediction";

  private final Progress progress;

  FitAndScore(Progress progress) {
    this.progress = progress;
  }

  /**
   * What a fit produced before scoring.
   *
   * @param predictions {@code row}, {@code label} and {@code prediction}, persisted
   * @param clusterSizes rows per cluster, or null to count them from the predictions
   * @param restartPredictions with restarts, every restart's predictions as {@code predictions}
   *     (persisted), in restart order, the kept one's being {@code predictions} itself; null for
   *     one fit
   */
  record Fitted(Dataset<Row> predictions, long[] clusterSizes, double fitSeconds,
      Map<String, Object> params, RunDetails.Training training,
      List<Dataset<Row>> restartPredictions) {}

  /**
   * Fits {@code method} with {@code params} on {@code data} and scores it.
   *
   * @param seed the run's seed: its {@code fits} fits use seeds {@link #firstFitSeed} onwards
   * @param fits fits kept the best of (the estimator's numRestarts, K-means' lowest cost)
   * @param labelled the seed-labelled rows of a semi-supervised run, else null
   */
  ClusteringFit fit(String phase, LoadedData data, String method, Map<String, String> params,
      long seed, double fraction, Set<Long> labelled, int fits) {
    Fitted fitted;
    long first = firstFitSeed(seed, fits);
    if (method.equals(Methods.KMEANS)) {
      fitted = kmeans(data, first, fits);
    } else {
      CollisionClustering estimator = Methods.estimatorOf(method);
      estimator.setNumRestarts(fits);
      params.forEach((p, v) -> EstimatorParams.set(estimator, p, v, "params." + method + "."
          + p));
      estimator.setK(data.k()).setSeed(first);
      if (labelled != null) {
        EstimatorParams.set(estimator, Methods.SEED_LABEL_PARAM, FeatureInput.SEED_LABEL_COL,
            "table5");
      }
      fitted = estimator(estimator, data);
    }
    return score(phase, data, method, EstimatorParams.text(params), seed, fraction, labelled,
        fitted);
  }

  /**
   * The seed of run {@code seed}'s first fit: its {@code fits} fits use seeds
   * {@code (seed−1)·fits + 1 … seed·fits}, so runs 1, 2, … never share a fit and the mean over
   * the runs is over independent ones (with one fit, run {@code s} uses seed {@code s}).
   */
  static long firstFitSeed(long seed, int fits) {
    return (seed - 1) * fits + 1;
  }

  private static Fitted estimator(CollisionClustering estimator, LoadedData data) {
    estimator.setFeaturesCol(data.featuresCol()).setPredictionCol(PREDICTION_COL);
    long t0 = System.nanoTime();
    CollisionClusteringModel model = estimator.fit(data.rows());
    double seconds = (System.nanoTime() - t0) / 1e9;
    CollisionClusteringSummary summary = model.summary();
    boolean restarts = estimator.getNumRestarts() > 1;
    RunDetails.Training training = new RunDetails.EstimatorTraining(summary.lossPerEpoch(),
        summary.emIterationsPerEpoch(), summary.trainingSeconds(),
        restarts ? summary.restartLosses() : null, restarts ? summary.chosenRestart() : null);
    Dataset<Row> kept = scored(summary.predictions());
    List<Dataset<Row>> each = restarts ? withKept(summary.restartModels().stream()
        .map(m -> m.transform(data.rows())).toList(), summary.chosenRestart(), kept) : null;
    return new Fitted(kept, summary.clusterSizes(), seconds, Clustering.params(estimator),
        training, each);
  }

  /**
   * MLlib K-means (its defaults, with k) fitted {@code fits} times with seeds
   * {@code seed, seed+1, ...}, keeping the model of lowest cost.
   */
  private static Fitted kmeans(LoadedData data, long seed, int fits) {
    KMeans estimator = null;
    KMeansModel model = null;
    List<KMeansModel> all = new ArrayList<>();
    double[] costs = new double[fits];
    int chosen = 0;
    long t0 = System.nanoTime();
    for (int r = 0; r < fits; r++) {
      KMeans e = new KMeans().setK(data.k()).setSeed(seed + r).setFeaturesCol(data.featuresCol())
          .setPredictionCol(PREDICTION_COL);
      KMeansModel m = e.fit(data.rows());
      all.add(m);
      costs[r] = m.summary().trainingCost();
      if (model == null || costs[r] < model.summary().trainingCost()) {
        model = m;
        estimator = e;
        chosen = r;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    RunDetails.Training training = new RunDetails.KMeansTraining(model.summary().numIter(),
        model.summary().trainingCost(), fits > 1 ? costs : null, fits > 1 ? chosen : null);
    Dataset<Row> kept = scored(model.summary().predictions());
    List<Dataset<Row>> each = fits > 1 ? withKept(all.stream()
        .map(m -> m.summary().predictions()).toList(), chosen, kept) : null;
    return new Fitted(kept, model.summary().clusterSizes(), seconds,
        Clustering.params(estimator), training, each);
  }

  /**
   * Every restart's predictions for scoring: restart {@code chosen}'s are {@code kept} (scored
   * once, with the run), the others' {@link #scored}.
   */
  private static List<Dataset<Row>> withKept(List<Dataset<Row>> predictions, int chosen,
      Dataset<Row> kept) {
    List<Dataset<Row>> out = new ArrayList<>();
    for (int r = 0; r < predictions.size(); r++) {
      out.add(r == chosen ? kept : scored(predictions.get(r)));
    }
    return out;
  }

  /** The columns scoring reads, persisted. */
  static Dataset<Row> scored(Dataset<Row> predictions) {
    return predictions.select(FeatureInput.ROW_COL, FeatureInput.LABEL_COL, PREDICTION_COL)
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * Scores a fit's predictions on every row (ACC, NMI, ARI) and, with seed labels, the plain
   * accuracy on the unlabelled rows; prints the progress line; releases the predictions.
   */
  ClusteringFit score(String phase, LoadedData data, String method, String paramsText, long seed,
      double fraction, Set<Long> labelled, Fitted fitted) {
    try {
      List<Row> rows = fitted.predictions().collectAsList();
      int[][] lp = labelsAndPredictions(rows);
      int[] labels = lp[0];
      int[] predictions = lp[1];
      long unlabelled = 0;
      long correct = 0;
      for (int i = 0; i < rows.size(); i++) {
        if (labelled != null && !labelled.contains(rows.get(i).getLong(0))) {
          unlabelled++;
          correct += labels[i] == predictions[i] ? 1 : 0;
        }
      }
      ContingencyTable table = ContingencyTable.of(labels, predictions);
      long[] clusterSizes = fitted.clusterSizes() != null ? fitted.clusterSizes()
          : sizes(predictions, data.k());
      Scores scores = Scores.of(table);
      double acc = scores.acc();
      double nmi = scores.nmi();
      double ari = scores.ari();
      double accuracy = labelled == null || unlabelled == 0 ? Double.NaN
          : correct / (double) unlabelled;
      List<RunDetails.Scored> restartScores = null;
      if (fitted.restartPredictions() != null) {
        restartScores = new ArrayList<>();
        for (Dataset<Row> each : fitted.restartPredictions()) {
          Scores s = scores;
          if (each != fitted.predictions()) {
            int[][] other = labelsAndPredictions(each.collectAsList());
            s = Scores.of(ContingencyTable.of(other[0], other[1]));
          }
          restartScores.add(new RunDetails.Scored(s.acc(), s.nmi(), s.ari()));
        }
      }
      RunRecord record = new RunRecord(phase, data.name(), method, seed, fraction, paramsText,
          acc, nmi, ari, accuracy, fitted.fitSeconds(), rows.size());
      List<String> labelNames = new TreeSet<>(Arrays.stream(labels).boxed().toList()).stream()
          .map(String::valueOf).toList();
      RunDetails.Clustering details = new RunDetails.Clustering(phase, data.name(), method, seed,
          fraction, acc, nmi, ari, Double.isNaN(accuracy) ? null : accuracy, fitted.fitSeconds(),
          rows.size(), clusterSizes, table.toArray(), fitted.training(), restartScores,
          fitted.params());
      progress.step(String.format("%s %s %s seed %d%s%s: ACC %.4f NMI %.4f ARI %.4f%s"
          + " (fit %.1f s)", phase, data.name(), method, seed,
          fraction > 0 ? " labels " + fraction : "",
          paramsText.isEmpty() ? "" : " [" + paramsText + "]", acc, nmi, ari,
          Double.isNaN(accuracy) ? "" : String.format(" accuracy %.4f", accuracy),
          fitted.fitSeconds()));
      return new ClusteringFit(record, details, Figures.confusion(table).counts(), labelNames);
    } finally {
      fitted.predictions().unpersist(false);
      if (fitted.restartPredictions() != null) {
        fitted.restartPredictions().forEach(d -> d.unpersist(false));
      }
    }
  }

  /** The true labels and the clusters of {@link #scored} rows ({@code row}, label, prediction). */
  private static int[][] labelsAndPredictions(List<Row> rows) {
    int[] labels = new int[rows.size()];
    int[] predictions = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      labels[i] = rows.get(i).getInt(1);
      predictions[i] = rows.get(i).getInt(2);
    }
    return new int[][] {labels, predictions};
  }

  private static long[] sizes(int[] predictions, int k) {
    long[] out = new long[k];
    for (int p : predictions) {
      out[p]++;
    }
    return out;
  }
}
