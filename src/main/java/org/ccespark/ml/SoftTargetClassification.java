package org.ccespark.ml;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.ccespark.data.LabelNoise;
import org.ccespark.selflabel.Method;
import org.ccespark.spark.SelfLabelTrainer;
import org.ccespark.spark.TrainingConfig;
import org.ccespark.spark.TrainingResult;

/**
 * The paper's Figure 2 experiment on fixed features: robustness of collision cross-entropy (eq. 9)
 * against Shannon cross-entropy (eq. 8) to label noise. A fraction η of the training labels is
 * replaced by uniformly random labels, every training row gets the soft target
 * {@code η·u + (1-η)·onehot(observed label)} (label smoothing at the noise rate, as the paper
 * recommends after Müller et al.; the same noisy targets as the {@code experiment} command's
 * Figure 2, {@link LabelNoise#withNoisyTargets}), the same linear softmax classifier is trained on these fixed
 * targets by the same distributed loop as the clustering methods (objective
 * {@link org.ccespark.selflabel.SupervisedTargets}), and its accuracy on a clean test set is
 * returned.
 *
 * <pre>{@code
 * double acc = SoftTargetClassification.testAccuracy(train, test, "features", "label", 10,
 *     "collision", 0.5, 1L, SoftTargetClassification.defaults(10, 1L));
 * }</pre>
 */
public final class SoftTargetClassification {
  private SoftTargetClassification() {}

  /** Losses accepted by {@link #testAccuracy}. */
  public static final java.util.List<String> LOSSES = java.util.List.of("collision", "shannon");

  /**
   * The training settings of the clustering estimator's defaults (10 epochs, batch 250, SGD 0.1,
   * weight decay 0.001) for {@code k} classes; the loss is set by {@link #testAccuracy}.
   */
  public static TrainingConfig defaults(int k, long seed) {
    CollisionClustering d = new CollisionClustering();
    return TrainingConfig.builder().k(k).method(Method.SUPERVISED_COLLISION).lambda(0)
        .epochs(d.getMaxIter()).batchSize(d.getBatchSize()).stepSize(d.getStepSize())
        .weightDecay(d.getWeightDecay()).optimizer(d.getOptimizer()).momentum(d.getMomentum())
        .emMaxIter(1).emTol(1).seed(seed).seedLabelWeight(0).build();
  }

  /**
   * Trains on {@code train} with labels corrupted at rate η and soft targets, and scores on
   * {@code test}.
   *
   * @param train rows with the features column and an integer-valued label column in [0, k)
   * @param test rows with the same columns; its labels are used as they are
   * @param loss {@code collision} (eq. 9) or {@code shannon} (eq. 8)
   * @param eta noise rate in [0, 1]: the probability that a training label is replaced by a
   *     uniformly random one (which may equal the true label), and the weight of u in the target
   * @param seed seed of the corruption (a hash of each row's {@code row} index and the seed, or of
   *     its {@code monotonically_increasing_id()} when {@code train} has no {@code row} column:
   *     then reproducible for the same partitioning)
   * @param settings classifier training settings ({@link #defaults}); its method, λ and seed-label
   *     weight are replaced
   * @return the fraction of test rows whose most probable class is their label
   * @throws IllegalArgumentException for an unknown loss, η outside [0, 1], or a label outside
   *     [0, k) (named with its row)
   */
  public static double testAccuracy(Dataset<Row> train, Dataset<Row> test, String featuresCol,
      String labelCol, int k, String loss, double eta, long seed, TrainingConfig settings) {
    if (!LOSSES.contains(loss)) {
      throw new IllegalArgumentException("loss must be one of " + LOSSES + ", got '" + loss + "'");
    }
    if (!(eta >= 0 && eta <= 1)) {
      throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
    }
    Method method = loss.equals("collision") ? Method.SUPERVISED_COLLISION
        : Method.SUPERVISED_SHANNON;
    TrainingConfig cfg = TrainingConfig.builder().k(k).method(method).lambda(0)
        .epochs(settings.epochs()).batchSize(settings.batchSize()).stepSize(settings.stepSize())
        .weightDecay(settings.weightDecay()).optimizer(settings.optimizer())
        .momentum(settings.momentum()).emMaxIter(1).emTol(1).seed(settings.seed())
        .pgdStepSize(settings.pgdStepSize()).seedLabelWeight(0).build();
    String targetCol = LabelNoise.TARGET_COL;
    Dataset<Row> withTargets = LabelNoise.withNoisyTargets(train, labelCol, k, eta, seed);
    TrainingResult r = SelfLabelTrainer.fit(withTargets, featuresCol, targetCol, cfg);
    CollisionClusteringModel model = new CollisionClusteringModel("softTarget", r.dim(), k,
        r.weights(), r.bias()).setFeaturesCol(featuresCol).setProbabilityCol("");
    Dataset<Row> scored = model.setPredictionCol("__prediction").transform(test);
    long total = scored.count();
    long correct = scored.filter(functions.col("__prediction")
        .equalTo(functions.col(labelCol).cast("int"))).count();
    return total == 0 ? Double.NaN : correct / (double) total;
  }
}
