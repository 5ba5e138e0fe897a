package org.ccespark.experiment;

import java.util.Map;

/**
 * What every phase runner shares: the plan, the loaded datasets by name, the results collected
 * so far, the fit-and-score and the progress.
 */
record RunContext(ExperimentPlan plan, Map<String, LoadedData> loaded, ExperimentResults results,
    FitAndScore fits, Progress progress) {
  ExperimentConfig config() {
    return plan.config();
  }
}
