package org.ccespark.experiment;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ccespark.report.RunRecord;

/**
 * Phase 1, tuning: on every tuned dataset (or its {@code tune.sample}), every grid point of each
 * method fitted once with {@code tune.seed}; the point of the highest {@code tune.metric} is
 * chosen (ties go to the earlier point). A method without a grid keeps its fixed params.
 */
final class TuningRunner {
  private final RunContext ctx;

  TuningRunner(RunContext ctx) {
    this.ctx = ctx;
  }

  void run() {
    ExperimentConfig cfg = ctx.config();
    Sections.Tuning tuning = cfg.tuning();
    for (String d : ctx.plan().tuneDatasets()) {
      LoadedData data = ctx.loaded().get(d);
      LoadedData tuneData = tuning.sample() == null ? data
          : DatasetLoader.sample(data, tuning.sample(), tuning.seed(), "tune.sample");
      try {
        for (String m : ctx.plan().methodsOf(d)) {
          ctx.results().choose(d, m, tune(tuneData, m));
        }
      } finally {
        if (tuneData != data) {
          tuneData.release();
        }
      }
    }
  }

  /** The params chosen for {@code method} on {@code data}. */
  private Map<String, String> tune(LoadedData data, String method) {
    ExperimentConfig cfg = ctx.config();
    Sections.Tuning tuning = cfg.tuning();
    Map<String, String> best = new LinkedHashMap<>(cfg.params().get(method));
    if (!tuning.tunes(method)) {
      return best;
    }
    double bestScore = Double.NEGATIVE_INFINITY;
    for (Map<String, String> point : tuning.grid(method)) {
      Map<String, String> p = new LinkedHashMap<>(cfg.params().get(method));
      p.putAll(point);
      ClusteringFit fit;
      try {
        fit = ctx.fits().fit("tune", data, method, p, tuning.seed(), 0, null, 1);
      } catch (IllegalStateException e) {
        // A grid point whose training diverged (non-finite loss) is a tuning result, not the
        // end of the experiment: recorded as failed, never chosen.
        String text = EstimatorParams.text(p);
        ctx.results().addRecord(new RunRecord("tune", data.name(), method, tuning.seed(), 0,
            text, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, data.count()));
        ctx.progress().step(String.format("tune %s %s seed %d [%s]: failed, not chosen (%s)",
            data.name(), method, tuning.seed(), text, e.getMessage()));
        continue;
      }
      ctx.results().add(fit);
      double score = fit.record().metric(tuning.metric());
      if (score > bestScore) {
        bestScore = score;
        best = p;
      }
    }
    return best;
  }
}
