package org.ccespark.experiment;

import java.util.List;

/**
 * Every key of an experiment's configuration with its default and meaning: the one list that the
 * {@code experiment} command's help and docs/experiments.md document.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  /** Documentation of every key: the key (with NAME/METHOD/PARAM placeholders), default, meaning. */
  public static final List<String[]> KEYS = List.of(
      new String[] {"title", "the file name", "title of the tables and figures"},
      new String[] {"outputs", "table2,figure1,loss,sizes,confusion", "what to produce, among "
          + String.join(", ", ExperimentConfig.OUTPUTS)},
      new String[] {"datasets", "none", "datasets to cluster, comma-separated: names of the"
          + " dataset catalog (demo, mnist10k, fashion-mnist, fashion-mnist-test: pixel features in"
          + " [0,1]; DatasetCatalog says how to get each), or any NAME described by dataset.NAME.path; required by"
          + " table2, table6, loss, sizes, confusion"},
      new String[] {"dataset.NAME.path", "none", "read NAME from this feature file (Parquet, CSV,"
          + " LibSVM; as cluster --input) instead of the catalog"},
      new String[] {"dataset.NAME.format", "auto", "format of dataset.NAME.path: auto, parquet,"
          + " csv, libsvm"},
      new String[] {"dataset.NAME.label-col", "label", "label column of dataset.NAME.path"},
      new String[] {"dataset.NAME.features-col", "features", "features column of"
          + " dataset.NAME.path (Parquet)"},
      new String[] {"dataset.NAME.sample", "all rows", "cluster a random sample of this many rows"
          + " of NAME (seed 42: the same rows for every method, seed and run)"},
      new String[] {"dataset.NAME.k", "number of distinct labels", "number of clusters for NAME"},
      new String[] {"dataset.NAME.features", "raw", "features of NAME: raw (as read: pixels in"
          + " [0,1] for the catalog), or pca:D, the projection on the first D principal components"
          + " (MLlib PCA fitted on NAME's own rows, after dataset.NAME.sample, labels unused),"
          + " centred; pca:D:whiten scales every component to unit variance, pca:D:l2 every row to"
          + " unit length"},
      new String[] {"methods", "cce,kmeans", "methods, comma-separated, among those the build"
          + " provides (cce, kmeans, and the estimator's other values of its method param)"},
      new String[] {"seeds", "6", "reported seeds are 1..N"},
      new String[] {"restarts", "1", "fits per reported run, the same for every method: CCE and"
          + " the other self-labeling methods keep the one of lowest final loss (numRestarts),"
          + " K-means the one of lowest cost; reported run s fits seeds (s-1)*N+1..s*N, so no two"
          + " runs share a fit; tuning fits use 1"},
      new String[] {"params.METHOD.PARAM", "the estimator's default", "a fixed value of an"
          + " estimator param (Spark ML name, e.g. params.cce.lambda=100, params.cce.maxIter=10);"
          + " K-means takes none (MLlib defaults with k and the seed)"},
      new String[] {"tune.METHOD.PARAM", "none", "comma-separated grid of values of PARAM for"
          + " METHOD; the grid of METHOD is the product over its PARAMs, tuned as described under"
          + " tune.seed; every tuned method must have a grid of the same size (the same budget),"
          + " unless tune.budget is set"},
      new String[] {"tune.budget", "the grid size", "number of grid points every tuned method"
          + " is fitted at: a method whose grid is larger is tuned on this many of its points,"
          + " drawn at random (seeded by tune.seed and the method) and fitted in grid order; a"
          + " smaller grid is an error"},
      new String[] {"tune.seed", "0", "seed of the tuning runs: every grid point is fitted once"
          + " with this seed, which must not be a reported seed"},
      new String[] {"tune.metric", "acc", "criterion of the tuning: acc, nmi or ari of the tuning"
          + " run against the labels (the highest wins; ties go to the earlier grid point)"},
      new String[] {"tune.sample", "the dataset", "tune on a seeded random sample of this many"
          + " rows of each dataset (drawn with tune.seed), or on the whole dataset"},
      new String[] {"table1.k", "2,20,200", "table1 (EM vs PGD, bench em-vs-pgd): numbers of"
          + " classes"},
      new String[] {"table1.block", "250", "table1: points per block (M)"},
      new String[] {"table1.lambda", "100", "table1: fairness weight"},
      new String[] {"table1.tol", "1e-5", "table1: stopping tolerance on y"},
      new String[] {"table1.reps", "3", "table1: timed repetitions per solver"},
      new String[] {"table1.budget", "10", "table1: seconds of repetitions per solver"},
      new String[] {"semi.datasets", "datasets", "table5 (semi-supervised): datasets"},
      new String[] {"semi.methods", "methods other than kmeans", "table5: methods"},
      new String[] {"semi.fractions", "0.1,0.05,0.01", "table5: fractions of labelled rows (seed"
          + " labels, drawn per seed)"},
      new String[] {"semi.seeds", "seeds", "table5: seeds 1..N"},
      new String[] {"figure2.train", "none", "figure2 (noisy soft labels): the training dataset"
          + " (a NAME as in datasets)"},
      new String[] {"figure2.test", "none", "figure2: the test dataset"},
      new String[] {"figure2.etas", "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9", "figure2: noise"
          + " levels: a fraction eta of training labels is replaced by a random label and every"
          + " target is eta*u + (1-eta)*onehot(observed label)"},
      new String[] {"figure2.seeds", "seeds", "figure2: seeds 1..N (noise and initialisation)"},
      new String[] {"figure2.param.PARAM", "the estimator's default", "figure2: an estimator"
          + " param for both losses (supervised-collision and supervised-shannon), e.g."
          + " figure2.param.maxIter=10"});

  /** The keys as help text: {@code key [default: d]: meaning.} each. */
  public static String help() {
    StringBuilder sb = new StringBuilder();
    for (String[] k : KEYS) {
      sb.append(k[0]).append(" [default: ").append(k[1]).append("]: ").append(k[2]).append(". ");
    }
    return sb.toString().trim();
  }
}
