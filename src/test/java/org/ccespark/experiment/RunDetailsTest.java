package org.ccespark.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The entries of runs.json keep the fields and order of the file format (docs/experiments.md):
 * the scores, then what the method reports about its training, then the params.
 */
class RunDetailsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> fields(Object value) throws Exception {
    JsonNode node = JSON.readTree(JSON.writeValueAsString(value));
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static RunDetails.Clustering clustering(RunDetails.Training training, Double accuracy) {
    return clustering(training, accuracy, null);
  }

  private static RunDetails.Clustering clustering(RunDetails.Training training, Double accuracy,
      List<RunDetails.Scored> restartScores) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("k", 3);
    return new RunDetails.Clustering("main", "demo", "cce", 1, 0, 0.9, 0.8, 0.7, accuracy, 1.5,
        10, new long[] {4, 3, 3}, new long[][] {{4, 0}, {0, 6}}, training, restartScores, params);
  }

  @Test
  void clusteringEntriesKeepTheirFieldsInOrder() throws Exception {
    List<String> scores = List.of("phase", "dataset", "method", "seed", "fraction", "acc", "nmi",
        "ari", "accuracy", "fitSeconds", "rows", "clusterSizes", "confusion");
    List<String> cce = new ArrayList<>(scores);
    cce.addAll(List.of("lossPerEpoch", "emIterationsPerEpoch", "trainingSeconds", "params"));
    assertEquals(cce, fields(clustering(new RunDetails.EstimatorTraining(new double[] {2, 1},
        new double[] {3, 3}, 0.5, null, null), null)));
    List<String> restarts = new ArrayList<>(scores);
    restarts.addAll(List.of("lossPerEpoch", "emIterationsPerEpoch", "trainingSeconds",
        "restartLosses", "chosenRestart", "restartScores", "params"));
    assertEquals(restarts, fields(clustering(new RunDetails.EstimatorTraining(
        new double[] {2, 1}, new double[] {3, 3}, 0.5, new double[] {1, 2}, 0), 0.5,
        List.of(new RunDetails.Scored(0.9, 0.8, 0.7), new RunDetails.Scored(0.5, 0.4, 0.3)))));
    List<String> kmeans = new ArrayList<>(scores);
    kmeans.addAll(List.of("iterations", "trainingCost", "params"));
    assertEquals(kmeans, fields(clustering(new RunDetails.KMeansTraining(4, 12.5, null, null),
        null)));
    List<String> seeds = new ArrayList<>(scores);
    seeds.addAll(List.of("lossPerEpoch", "trainedRows", "params"));
    assertEquals(seeds, fields(clustering(new RunDetails.SeedsOnlyTraining(new double[] {1}, 7),
        0.75)));

    JsonNode node = JSON.readTree(JSON.writeValueAsString(clustering(
        new RunDetails.KMeansTraining(4, 12.5, null, null), null)));
    assertTrue(node.get("accuracy").isNull(), "accuracy is null without seed labels");
    assertEquals(2, node.get("confusion").size());
    assertEquals(3, node.get("params").get("k").asInt());
  }

  @Test
  void noisyLabelEntriesKeepTheirFieldsInOrder() throws Exception {
    assertEquals(List.of("phase", "dataset", "method", "seed", "eta", "testAccuracy",
        "fitSeconds"), fields(new RunDetails.NoisyLabels("figure2", "demo",
        "supervised-collision", 1, 0.2, 0.9, 3.0)));
  }
}
