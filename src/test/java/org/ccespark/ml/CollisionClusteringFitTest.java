package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end fits of {@link CollisionClustering} on three well-separated Gaussian blobs in 5-D
 * (300 rows, 2 partitions, seeded): the model recovers the blobs, fits are reproducible, and a
 * fitted model or pipeline predicts the same after save and load.
 */
class CollisionClusteringFitTest {
  private static final int ROWS = 300;
  private static final int DIM = 5;
  private static final int BLOBS = 3;

  private static Dataset<Row> blobs;

  @TempDir
  Path tmp;

  /** Rows {@code (id, label, features)}: blob j is centred at 8·e_j with unit variance. */
  @BeforeAll
  static void makeBlobs() {
    Random rnd = new Random(20240611L);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      int label = i % BLOBS;
      double[] x = new double[DIM];
      for (int d = 0; d < DIM; d++) {
        x[d] = rnd.nextGaussian() + (d == label ? 8.0 : 0.0);
      }
      rows.add(RowFactory.create(i, label, Vectors.dense(x)));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("label", DataTypes.IntegerType).add("features", SQLDataTypes.VectorType());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    blobs = SharedSpark.session().createDataFrame(jsc.parallelize(rows, 2), schema);
  }

  private static CollisionClustering estimator() {
    return new CollisionClustering().setK(BLOBS).setMaxIter(20).setBatchSize(50).setSeed(42);
  }

  /** Predictions ordered by id. */
  private static List<Integer> predictions(Dataset<Row> transformed, String column) {
    return transformed.orderBy("id").select(column).collectAsList().stream()
        .map(r -> r.getInt(0)).toList();
  }

  /** Fraction of rows whose cluster matches the label under the best one-to-one relabelling. */
  private static double accuracy(List<Integer> predicted, List<Integer> labels) {
    int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    int best = 0;
    for (int[] p : perms) {
      int hits = 0;
      for (int i = 0; i < predicted.size(); i++) {
        if (p[predicted.get(i)] == labels.get(i)) {
          hits++;
        }
      }
      best = Math.max(best, hits);
    }
    return best / (double) predicted.size();
  }

  @Test
  void fitRecoversTheBlobsAndAttachesASummary() {
    CollisionClustering est = estimator();
    CollisionClusteringModel model = est.fit(blobs);

    assertEquals(DIM, model.numFeatures());
    assertEquals(BLOBS, model.getK());
    assertEquals(est.uid(), model.uid());
    assertSame(est, model.parent());
    assertEquals(42L, model.getSeed());

    Dataset<Row> out = model.transform(blobs);
    List<Integer> labels = predictions(blobs, "label");
    double acc = accuracy(predictions(out, "prediction"), labels);
    assertTrue(acc >= 0.95, "accuracy " + acc);

    assertTrue(model.hasSummary());
    CollisionClusteringSummary s = model.summary();
    assertEquals(BLOBS, s.k());
    assertEquals(ROWS, s.numRows());
    assertEquals(20, s.numIter());
    assertEquals(20, s.lossPerEpoch().length);
    assertEquals(20, s.emIterationsPerEpoch().length);
    assertEquals(ROWS, Arrays.stream(s.clusterSizes()).sum());
    assertTrue(s.trainingSeconds() >= 0);
    assertTrue(Arrays.stream(s.lossPerEpoch()).allMatch(Double::isFinite));
    assertEquals(ROWS, s.predictions().count());
    assertEquals(predictions(out, "prediction"), predictions(s.predictions(), s.predictionCol()));

    CollisionClusteringModel copy = model.copy(ParamMap.empty());
    assertSame(s, copy.summary());
    assertSame(est, copy.parent());
  }

  @Test
  void sameSeedGivesTheSameModelAndPredictions() {
    CollisionClusteringModel a = estimator().fit(blobs);
    CollisionClusteringModel b = estimator().fit(blobs);
    assertArrayEquals(a.weights(), b.weights(), 0);
    assertArrayEquals(a.bias(), b.bias(), 0);
    assertEquals(predictions(a.transform(blobs), "prediction"),
        predictions(b.transform(blobs), "prediction"));
  }

  @Test
  void fittedModelSavedAndLoadedPredictsIdentically() throws IOException {
    CollisionClusteringModel model = estimator().fit(blobs);
    String path = tmp.resolve("model").toString();
    model.write().save(path);
    CollisionClusteringModel loaded = CollisionClusteringModel.load(path);
    assertFalse(loaded.hasSummary());
    assertEquals(model.extractParamMap().toString(), loaded.extractParamMap().toString());
    assertEquals(model.transform(blobs).orderBy("id").collectAsList(),
        loaded.transform(blobs).orderBy("id").collectAsList());
  }

  @Test
  void pipelineWithStandardScalerSavesLoadsAndPredictsIdentically() throws IOException {
    StandardScaler scaler = new StandardScaler().setInputCol("features").setOutputCol("scaled")
        .setWithMean(true).setWithStd(true);
    CollisionClustering clustering = estimator().setFeaturesCol("scaled");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {scaler, clustering});

    String pipelinePath = tmp.resolve("pipeline").toString();
    pipeline.write().save(pipelinePath);
    Pipeline reloadedPipeline = Pipeline.load(pipelinePath);
    CollisionClustering reloadedStage = (CollisionClustering) reloadedPipeline.getStages()[1];
    assertEquals(clustering.trainingConfig(), reloadedStage.trainingConfig());
    assertEquals("scaled", reloadedStage.getFeaturesCol());

    PipelineModel fitted = pipeline.fit(blobs);
    List<Integer> before = predictions(fitted.transform(blobs), "prediction");
    assertTrue(accuracy(before, predictions(blobs, "label")) >= 0.95);

    String modelPath = tmp.resolve("pipeline-model").toString();
    fitted.write().save(modelPath);
    PipelineModel loaded = PipelineModel.load(modelPath);
    assertTrue(loaded.stages()[1] instanceof CollisionClusteringModel);
    assertEquals(before, predictions(loaded.transform(blobs), "prediction"));
    assertEquals(fitted.transform(blobs).orderBy("id").collectAsList(),
        loaded.transform(blobs).orderBy("id").collectAsList());
  }

  /** {@code fulldata}: eq. 11 over all rows by the distributed exact solver recovers the blobs. */
  @Test
  void fullDataScheduleRecoversTheBlobs() {
    CollisionClusteringModel model = estimator().setSchedule("fulldata").setMaxIter(10).fit(blobs);
    double acc = accuracy(predictions(model.transform(blobs), "prediction"),
        predictions(blobs, "label"));
    assertTrue(acc >= 0.95, "fulldata accuracy " + acc);
  }

  /** Restarts: every restart is scored by its full-data loss and the lowest is kept. */
  @Test
  void restartsKeepTheFitWithTheLowestFullDataLoss() {
    CollisionClusteringModel model = estimator().setMaxIter(5).setNumRestarts(3).fit(blobs);
    double[] losses = model.summary().restartLosses();
    assertEquals(3, losses.length);
    int chosen = model.summary().chosenRestart();
    for (double l : losses) {
      assertTrue(Double.isFinite(l) && l > 0, Arrays.toString(losses));
      assertTrue(losses[chosen] <= l, Arrays.toString(losses) + " chosen " + chosen);
    }
    // the kept restart is the fit of seed 42 + chosen
    CollisionClusteringModel alone = estimator().setMaxIter(5).setSeed(42 + chosen).fit(blobs);
    assertArrayEquals(alone.weights(), model.weights(), 0);
    // every restart's model is kept: restart r is the fit of seed 42 + r
    assertEquals(3, model.summary().restartModels().size());
    assertArrayEquals(model.weights(), model.summary().restartModels().get(chosen).weights(), 0);
    int other = (chosen + 1) % 3;
    CollisionClusteringModel otherAlone = estimator().setMaxIter(5).setSeed(42 + other)
        .fit(blobs);
    assertArrayEquals(otherAlone.weights(), model.summary().restartModels().get(other).weights(),
        0);
    assertArrayEquals(otherAlone.bias(), model.summary().restartModels().get(other).bias(), 0);
    assertTrue(alone.summary().restartModels().isEmpty(), "a single fit has no restart models");
  }

  @Test
  void kmeansInitRecoversTheBlobs() {
    CollisionClusteringModel model = estimator().setInit("kmeans").setMaxIter(3).fit(blobs);
    double acc = accuracy(predictions(model.transform(blobs), "prediction"),
        predictions(blobs, "label"));
    assertTrue(acc >= 0.95, "kmeans-initialised accuracy " + acc);
  }
}
