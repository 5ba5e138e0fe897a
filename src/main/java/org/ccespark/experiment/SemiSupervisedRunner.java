package org.ccespark.experiment;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.LabelNoise;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.ml.CollisionClusteringModel;
import org.ccespark.report.ResultTables;

/**
 * Phase 3, Table 5's semi-supervised runs: per dataset, label fraction and seed, seed labels on
 * that fraction of the rows ({@link LabelNoise#withSeedLabels}), then the "only seeds" classifier
 * and every semi-supervised method, each scored by its accuracy on the unlabelled rows.
 */
final class SemiSupervisedRunner {
  private final RunContext ctx;

  SemiSupervisedRunner(RunContext ctx) {
    this.ctx = ctx;
  }

  /** Checks that the estimator has a semi-supervised mode for every semi method. */
  static void checkSupported(ExperimentConfig cfg) {
    for (String m : cfg.semi().methods()) {
      if (!Methods.estimatorOf(m).hasParam(Methods.SEED_LABEL_PARAM)) {
        throw new org.ccespark.data.SettingException(cfg.file() + ": outputs has table5, but"
            + " this build has no semi-supervised mode (estimator param "
            + Methods.SEED_LABEL_PARAM + ")");
      }
    }
  }

  void run() {
    ExperimentConfig cfg = ctx.config();
    Sections.Semi semi = cfg.semi();
    String first = semi.methods().get(0);
    for (String d : semi.datasets()) {
      LoadedData data = ctx.loaded().get(d);
      for (double f : semi.fractions()) {
        for (long seed = 1; seed <= semi.seeds(); seed++) {
          Dataset<Row> withSeeds = LabelNoise.withSeedLabels(data.rows(), f, seed)
              .persist(StorageLevel.MEMORY_AND_DISK());
          try {
            Set<Long> labelled = new HashSet<>(withSeeds
                .filter(functions.col(LabelNoise.SEED_LABEL_COL).isNotNull())
                .select(FeatureInput.ROW_COL).as(Encoders.LONG()).collectAsList());
            LoadedData semiData = data.withRows(withSeeds, data.count());
            ctx.results().add(onlySeeds(semiData, paramsOf(d, first), seed, f, labelled));
            for (String m : semi.methods()) {
              ctx.results().add(ctx.fits().fit("semi", semiData, m, paramsOf(d, m), seed, f,
                  labelled, cfg.restarts()));
            }
          } finally {
            withSeeds.unpersist(false);
          }
        }
      }
    }
  }

  private Map<String, String> paramsOf(String dataset, String method) {
    return ctx.results().chosen().getOrDefault(ExperimentResults.key(dataset, method),
        ctx.config().params().get(method));
  }

  /**
   * Table 5's "Only seeds" run: the same linear classifier trained supervised with Shannon
   * cross-entropy ({@code supervised-shannon}) on the seed-labelled rows alone, with the classifier
   * settings of {@code params} (those of {@link Methods#CLASSIFIER_PARAMS}; the first
   * semi-supervised method's) and as many optimiser steps as a fit on all rows takes (its epochs
   * scaled by the ratio of batches per epoch), then scored on every row like the semi-supervised
   * methods.
   */
  private ClusteringFit onlySeeds(LoadedData data, Map<String, String> params, long seed,
      double fraction, Set<Long> labelled) {
    CollisionClustering estimator = Methods.estimatorOf("supervised-shannon");
    Map<String, String> used = new LinkedHashMap<>();
    params.forEach((p, v) -> {
      if (Methods.CLASSIFIER_PARAMS.contains(p)) {
        used.put(p, v);
      }
    });
    used.forEach((p, v) -> EstimatorParams.set(estimator, p, v, "only seeds: " + p));
    if (labelled.size() < data.k()) {
      throw new IllegalArgumentException("dataset " + data.name() + ": label fraction " + fraction
          + " with seed " + seed + " labels " + labelled.size() + " rows, fewer than its k = "
          + data.k() + " classes; raise semi.fractions or the sample");
    }
    int batch = estimator.getBatchSize();
    long steps = (long) estimator.getMaxIter() * ((data.count() + batch - 1) / batch);
    long perEpoch = (labelled.size() + batch - 1) / batch;
    int epochs = (int) Math.min(Integer.MAX_VALUE, (steps + perEpoch - 1) / perEpoch);
    estimator.setMaxIter(epochs);
    used.put("maxIter", Integer.toString(epochs));
    estimator.setK(data.k()).setSeed(seed).setFeaturesCol(data.featuresCol())
        .setPredictionCol(FitAndScore.PREDICTION_COL);
    EstimatorParams.set(estimator, Methods.SEED_LABEL_PARAM, LabelNoise.SEED_LABEL_COL,
        "table5");
    Dataset<Row> seeds = data.rows().filter(functions.col(LabelNoise.SEED_LABEL_COL).isNotNull());
    long t0 = System.nanoTime();
    CollisionClusteringModel model = estimator.fit(seeds);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> allParams = new LinkedHashMap<>();
    for (Param<?> p : estimator.params()) {
      if (estimator.isDefined(p)) {
        allParams.put(p.name(), estimator.getOrDefault(p));
      }
    }
    FitAndScore.Fitted fitted = new FitAndScore.Fitted(
        FitAndScore.scored(model.transform(data.rows())), null, seconds, allParams,
        new RunDetails.SeedsOnlyTraining(model.summary().lossPerEpoch(), labelled.size()), null);
    return ctx.fits().score("semi", data, ResultTables.ONLY_SEEDS, EstimatorParams.text(used),
        seed, fraction, labelled, fitted);
  }

  static List<String> rowsOfTable5(Sections.Semi semi) {
    List<String> rows = new java.util.ArrayList<>(List.of(ResultTables.ONLY_SEEDS));
    rows.addAll(semi.methods());
    return rows;
  }
}
