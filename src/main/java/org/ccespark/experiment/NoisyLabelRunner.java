package org.ccespark.experiment;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.LabelNoise;
import org.ccespark.eval.ContingencyTable;
import org.ccespark.pipeline.Scores;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.ml.CollisionClusteringModel;
import org.ccespark.report.RunRecord;

/**
 * Phase 4, Figure 2: per noise level η and seed, the training rows with noisy soft targets
 * ({@link LabelNoise#withNoisyTargets}), the linear classifier trained on them with collision and
 * with Shannon cross-entropy, each scored by its accuracy on the test dataset.
 */
final class NoisyLabelRunner {
  private final RunContext ctx;

  NoisyLabelRunner(RunContext ctx) {
    this.ctx = ctx;
  }

  void run() {
    Sections.Figure2 fig = ctx.config().figure2();
    LoadedData train = ctx.loaded().get(fig.train());
    LoadedData test = ctx.loaded().get(fig.test());
    for (double eta : fig.etas()) {
      for (long seed = 1; seed <= fig.seeds(); seed++) {
        Dataset<Row> noisy = LabelNoise.withNoisyTargets(train.rows(), FeatureInput.LABEL_COL,
            train.k(), eta, seed).persist(StorageLevel.MEMORY_AND_DISK());
        try {
          for (String m : Methods.FIGURE2_METHODS) {
            supervised(train.withRows(noisy, train.count()), test, m, fig.params(), seed, eta);
          }
        } finally {
          noisy.unpersist(false);
        }
      }
    }
  }

  /** One supervised fit on the noisy targets and its accuracy on the test rows. */
  private void supervised(LoadedData train, LoadedData test, String method,
      Map<String, String> params, long seed, double eta) {
    CollisionClustering estimator = Methods.estimatorOf(method);
    params.forEach((p, v) -> EstimatorParams.set(estimator, p, v, "figure2.param." + p));
    estimator.setK(train.k()).setSeed(seed).setFeaturesCol(train.featuresCol());
    EstimatorParams.set(estimator, Methods.SEED_LABEL_PARAM, LabelNoise.TARGET_COL, "figure2");
    long t0 = System.nanoTime();
    CollisionClusteringModel model = estimator.fit(train.rows());
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<Row> rows = model.setFeaturesCol(test.featuresCol()).transform(test.rows())
        .select(FeatureInput.LABEL_COL, model.getPredictionCol()).collectAsList();
    int[] labels = new int[rows.size()];
    int[] predictions = new int[rows.size()];
    long correct = 0;
    for (int i = 0; i < rows.size(); i++) {
      labels[i] = rows.get(i).getInt(0);
      predictions[i] = rows.get(i).getInt(1);
      correct += labels[i] == predictions[i] ? 1 : 0;
    }
    ContingencyTable table = ContingencyTable.of(labels, predictions);
    double accuracy = correct / (double) rows.size();
    Scores scores = Scores.of(table);
    RunRecord record = new RunRecord("figure2", train.name(), method, seed, eta,
        EstimatorParams.text(params), scores.acc(), scores.nmi(), scores.ari(), accuracy, seconds,
        train.count());
    ctx.results().add(record, new RunDetails.NoisyLabels(record.phase(), record.dataset(), method,
        seed, eta, accuracy, seconds));
    ctx.progress().step(String.format("figure2 %s %s seed %d eta %s: test accuracy %.4f (fit %.1f"
        + " s)", train.name(), method, seed, eta, accuracy, seconds));
  }
}
