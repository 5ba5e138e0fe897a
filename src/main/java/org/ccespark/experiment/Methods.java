package org.ccespark.experiment;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.Params;
import org.ccespark.ml.CollisionClustering;

/**
 * The methods an experiment runs: those of the clustering estimator ({@link CollisionClustering},
 * CCE and the baselines it trains) and MLlib K-means.
 */
public final class Methods {
  private Methods() {}

  /** MLlib K-means: run with MLlib's defaults, k and the seed; it takes no params. */
  public static final String KMEANS = "kmeans";
  /** The estimator param that names the seed-label column (semi-supervised mode). */
  public static final String SEED_LABEL_PARAM = "seedLabelCol";
  /** The two losses of Figure 2, as values of the estimator's method param. */
  public static final List<String> FIGURE2_METHODS = List.of("supervised-collision",
      "supervised-shannon");
  /** The classifier settings that Table 5's "only seeds" takes from the first semi method. */
  public static final List<String> CLASSIFIER_PARAMS = List.of("maxIter", "batchSize",
      "stepSize", "weightDecay", "optimizer", "momentum");

  /** The methods this build provides and how their params are checked. */
  public interface Catalog {
    /** The methods this build provides. */
    List<String> methods();

    /** An estimator of {@code method} to set its {@code params.METHOD.*} on, or null if none. */
    Params estimator(String method);
  }

  /** The estimator's methods, then K-means. */
  public static final Catalog CATALOG = new Catalog() {
    @Override
    public List<String> methods() {
      List<String> out = new ArrayList<>(CollisionClustering.METHODS);
      out.add(KMEANS);
      return List.copyOf(out);
    }

    @Override
    public Params estimator(String method) {
      return method.equals(KMEANS) ? null : estimatorOf(method);
    }
  };

  /**
   * A clustering estimator for {@code method} (its {@code method} param set unless cce).
   *
   * @throws org.ccespark.data.SettingException for a method the estimator lacks
   */
  public static CollisionClustering estimatorOf(String method) {
    CollisionClustering estimator = new CollisionClustering();
    if (!method.equals("cce")) {
      EstimatorParams.set(estimator, "method", method, "methods");
    }
    return estimator;
  }
}
