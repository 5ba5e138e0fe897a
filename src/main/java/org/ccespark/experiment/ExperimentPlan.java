package org.ccespark.experiment;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What an experiment runs, derived from its configuration: the datasets to load, the datasets
 * and methods to tune, the reported clustering runs, and the number of fits in all (for progress).
 *
 * @param config the configuration
 * @param mainDatasets the datasets of the reported clustering runs (none unless a clustering
 *     output is asked for)
 * @param tuneDatasets the datasets tuned on: the clustering ones, then Table 5's
 * @param toLoad every dataset to load
 * @param totalRuns the fits of all phases
 */
public record ExperimentPlan(ExperimentConfig config, List<String> mainDatasets,
    List<String> tuneDatasets, Set<String> toLoad, int totalRuns) {

  /** The plan of {@code config}. */
  public static ExperimentPlan of(ExperimentConfig config) {
    boolean clustering = config.outputs().stream()
        .anyMatch(ExperimentConfig.CLUSTERING_OUTPUTS::contains);
    List<String> main = clustering ? config.clusteringDatasets() : List.of();
    Set<String> tuned = new LinkedHashSet<>(main);
    if (config.outputs().contains("table5")) {
      tuned.addAll(config.semi().datasets());
    }
    Set<String> load = new LinkedHashSet<>(tuned);
    if (config.outputs().contains("figure2")) {
      load.add(config.figure2().train());
      load.add(config.figure2().test());
    }
    ExperimentPlan draft = new ExperimentPlan(config, main, List.copyOf(tuned), load, 0);
    return new ExperimentPlan(config, main, List.copyOf(tuned), load, draft.countRuns());
  }

  /** The methods tuned on dataset {@code d}: all for clustering datasets, else the semi ones. */
  public List<String> methodsOf(String d) {
    return mainDatasets.contains(d) ? config.methods() : config.semi().methods();
  }

  /** Whether the outputs include {@code name}. */
  public boolean wants(String name) {
    return config.outputs().contains(name);
  }

  private int countRuns() {
    Sections.Tuning tuning = config.tuning();
    int n = 0;
    for (String d : tuneDatasets) {
      for (String m : methodsOf(d)) {
        n += tuning.tunes(m) ? tuning.grid(m).size() : 0;
      }
    }
    n += mainDatasets.size() * config.methods().size() * config.seeds();
    if (wants("figure2")) {
      n += config.figure2().etas().length * config.figure2().seeds()
          * Methods.FIGURE2_METHODS.size();
    }
    if (wants("table5")) {
      Sections.Semi semi = config.semi();
      n += semi.datasets().size() * semi.fractions().length * semi.seeds()
          * (semi.methods().size() + 1); // + only seeds
    }
    return n;
  }

  /** The datasets to load, in the configuration's order. */
  public List<Sections.DatasetSpec> datasetsToLoad() {
    List<Sections.DatasetSpec> out = new ArrayList<>();
    for (Sections.DatasetSpec spec : config.datasets()) {
      if (toLoad.contains(spec.name())) {
        out.add(spec);
      }
    }
    return out;
  }
}
