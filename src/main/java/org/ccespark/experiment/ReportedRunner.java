package org.ccespark.experiment;

/**
 * Phase 2, the reported clustering runs: every clustering dataset × method × seed 1..N, with the
 * params chosen by tuning and {@code restarts} fits per run.
 */
final class ReportedRunner {
  private final RunContext ctx;

  ReportedRunner(RunContext ctx) {
    this.ctx = ctx;
  }

  void run() {
    ExperimentConfig cfg = ctx.config();
    for (String d : ctx.plan().mainDatasets()) {
      for (String m : cfg.methods()) {
        for (long seed = 1; seed <= cfg.seeds(); seed++) {
          ClusteringFit fit = ctx.fits().fit("main", ctx.loaded().get(d), m,
              ctx.results().chosen().get(ExperimentResults.key(d, m)), seed, 0, null,
              cfg.restarts());
          ctx.results().addReported(d, m, fit);
        }
      }
    }
  }
}
