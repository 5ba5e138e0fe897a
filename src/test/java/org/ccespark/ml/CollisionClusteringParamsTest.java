package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import java.nio.file.Path;
import org.ccespark.math.Optimizer;
import org.ccespark.selflabel.Method;
import org.ccespark.selflabel.Schedule;
import org.ccespark.spark.TrainingConfig;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Params of {@link CollisionClustering}: defaults, validation, documentation and copies. */
class CollisionClusteringParamsTest {

  private static final List<String> ALL_PARAMS = List.of("batchSize", "checkpointDir",
      "emMaxIter", "emTol", "featuresCol", "init", "k", "lambda", "maxIter", "method", "momentum",
      "numRestarts", "optimizer", "pgdStepSize", "predictionCol", "probabilityCol", "resume",
      "schedule", "seed", "seedLabelCol", "seedLabelWeight", "solver", "standardization",
      "stepSize", "temperature", "weightDecay");

  @Test
  void defaultsAreDocumentedValues() {
    CollisionClustering est = new CollisionClustering();
    assertEquals("features", est.getFeaturesCol());
    assertEquals("prediction", est.getPredictionCol());
    assertEquals("probability", est.getProbabilityCol());
    assertEquals(10, est.getK());
    assertEquals(100.0, est.getLambda());
    assertEquals(10, est.getMaxIter());
    assertEquals(250, est.getBatchSize());
    assertEquals(0.1, est.getStepSize());
    assertEquals(0.001, est.getWeightDecay());
    assertEquals("sgd", est.getOptimizer());
    assertEquals(0.0, est.getMomentum());
    assertEquals(1000, est.getEmMaxIter());
    assertEquals(1e-5, est.getEmTol());
    assertEquals(CollisionClustering.class.getName().hashCode(), est.getSeed());
    assertEquals("minibatch", est.getSchedule());
    assertEquals("cce", est.getMethod());
    assertEquals(0.001, est.getPgdStepSize());
    assertEquals("", est.getSeedLabelCol());
    assertEquals(2.0, est.getSeedLabelWeight());
  }

  /** An unset lambda is the method's default; a set one wins whatever the method. */
  @Test
  void lambdaDefaultsPerMethod() {
    CollisionClustering est = new CollisionClustering();
    assertEquals(100.0, est.setMethod("cce-pgd").getLambda());
    assertEquals(25.0, est.setMethod("sela").getLambda());
    assertEquals(1.0, est.setMethod("miadm").getLambda());
    assertEquals(1.0, est.setMethod("migd").getLambda());
    assertEquals(25.0, est.setMethod("sela").trainingConfig().lambda());
    assertEquals(7.0, est.setLambda(7).getLambda());
    assertEquals(Method.SELA, est.trainingConfig().method());
  }

  /** The one value of lambda as every reader of params sees it. */
  private static void assertLambdaEverywhere(double expected, CollisionClusteringParams p,
      String how) {
    assertEquals(expected, p.getLambda(), how + ": getLambda");
    assertEquals(expected, (Double) p.getOrDefault(p.lambda()), how + ": getOrDefault");
    assertEquals(expected, (Double) p.extractParamMap().apply(p.lambda()), how
        + ": extractParamMap");
    String explained = p.explainParam(p.lambda());
    String shown = p.isSet(p.lambda()) ? "current: " + expected : "default: " + expected;
    assertTrue(explained.contains(shown), how + ": " + explained);
  }

  /** getLambda() equals getOrDefault(lambda) for every method, however the method was set. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("allMethods")
  void lambdaHasOneValueForEveryMethod(String method, @TempDir Path tmp) throws Exception {
    SharedSpark.session(); // for save and load
    double expected = Method.of(method).defaultLambda();
    CollisionClustering byName = new CollisionClustering();
    byName.explainParams(); // reads every param before the change
    assertLambdaEverywhere(expected, byName.setMethod(method), "setMethod");

    CollisionClustering generic = new CollisionClustering();
    generic.set(generic.getParam("method"), method);
    assertLambdaEverywhere(expected, generic, "set(param)");

    CollisionClustering est = new CollisionClustering();
    ParamMap extra = new ParamMap().put(est.method(), method);
    assertLambdaEverywhere(expected, est.copy(extra), "copy(extra)");

    CollisionClusteringModel model = byName.copyValues(new CollisionClusteringModel("m", 1, 2,
        new double[2], new double[2]), ParamMap.empty());
    assertLambdaEverywhere(expected, model, "model");

    String path = tmp.resolve("est").toString();
    byName.write().save(path);
    assertLambdaEverywhere(expected, CollisionClustering.load(path), "load");

    assertLambdaEverywhere(7.0, byName.setLambda(7), "set lambda");
    assertLambdaEverywhere(7.0, byName.setMethod("cce"), "set lambda, then method");
  }

  static Stream<String> allMethods() {
    return CollisionClustering.ALL_METHODS.stream();
  }

  @Test
  void defaultSeedIsTheSameForEveryInstance() {
    assertEquals(new CollisionClustering().getSeed(), new CollisionClustering().getSeed());
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        invalid("k", e -> e.setK(1)),
        invalid("lambda", e -> e.setLambda(-1)),
        invalid("lambda", e -> e.setLambda(Double.POSITIVE_INFINITY)),
        invalid("stepSize", e -> e.setStepSize(Double.NaN)),
        invalid("weightDecay", e -> e.setWeightDecay(Double.POSITIVE_INFINITY)),
        invalid("emTol", e -> e.setEmTol(Double.POSITIVE_INFINITY)),
        invalid("pgdStepSize", e -> e.setPgdStepSize(Double.POSITIVE_INFINITY)),
        invalid("seedLabelWeight", e -> e.setSeedLabelWeight(Double.NaN)),
        invalid("temperature", e -> e.setTemperature(0.5)),
        invalid("temperature", e -> e.setTemperature(Double.POSITIVE_INFINITY)),
        invalid("maxIter", e -> e.setMaxIter(0)),
        invalid("batchSize", e -> e.setBatchSize(0)),
        invalid("stepSize", e -> e.setStepSize(0)),
        invalid("weightDecay", e -> e.setWeightDecay(-0.1)),
        invalid("optimizer", e -> e.setOptimizer("foo")),
        invalid("schedule", e -> e.setSchedule("bar")),
        invalid("emMaxIter", e -> e.setEmMaxIter(0)),
        invalid("emTol", e -> e.setEmTol(0)),
        invalid("momentum", e -> e.setMomentum(1)),
        invalid("momentum", e -> e.setMomentum(-0.5)),
        invalid("method", e -> e.setMethod("dec")),
        invalid("pgdStepSize", e -> e.setPgdStepSize(0)),
        invalid("seedLabelWeight", e -> e.setSeedLabelWeight(-1)));
  }

  private static Arguments invalid(String name, Consumer<CollisionClustering> setter) {
    return Arguments.of(name, setter);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void invalidValueIsRejectedNamingTheParam(String name, Consumer<CollisionClustering> setter) {
    CollisionClustering est = new CollisionClustering();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> setter.accept(est));
    assertTrue(e.getMessage().contains("parameter " + name + " "), e.getMessage());
  }

  @Test
  void boundaryValuesAreAccepted() {
    CollisionClustering est = new CollisionClustering().setK(2).setLambda(0).setMaxIter(1)
        .setBatchSize(1).setStepSize(1e-9).setWeightDecay(0).setOptimizer("adam")
        .setMomentum(0.999).setEmMaxIter(1).setEmTol(1e-12).setSeed(-5).setSchedule("fulldata");
    assertEquals(2, est.getK());
    assertEquals("adam", est.getOptimizer());
    assertEquals("fulldata", est.getSchedule());
    assertEquals(-5L, est.getSeed());
  }

  @Test
  void paramsAreFoundByReflectionUnderTheirOwnNames() {
    CollisionClustering est = new CollisionClustering();
    List<String> names = Arrays.stream(est.params()).map(Param::name).sorted().toList();
    assertEquals(ALL_PARAMS, names);
    for (Param<?> p : est.params()) {
      assertEquals(est.uid(), p.parent(), p.name());
    }
    CollisionClusteringModel model = new CollisionClusteringModel("m", 1, 2, new double[2],
        new double[2]);
    assertEquals(ALL_PARAMS, Arrays.stream(model.params()).map(Param::name).sorted().toList());
  }

  @Test
  void explainParamsListsEveryParamWithItsDoc() {
    String text = new CollisionClustering().setK(3).explainParams();
    for (String name : ALL_PARAMS) {
      assertTrue(text.contains(name + ": "), name + " missing from\n" + text);
    }
    assertTrue(text.contains("eq. 11"), text);
    assertTrue(text.contains("(default: 10, current: 3)"), text);
  }

  @Test
  void copyKeepsUidAndParamsAndAppliesExtra() {
    CollisionClustering est = new CollisionClustering().setK(5).setLambda(3).setOptimizer("adam");
    CollisionClustering copy = est.copy(ParamMap.empty());
    assertNotSame(est, copy);
    assertEquals(est.uid(), copy.uid());
    assertEquals(5, copy.getK());
    assertEquals(3.0, copy.getLambda());
    assertEquals("adam", copy.getOptimizer());

    CollisionClustering changed = est.copy(new ParamMap().put(est.k(), 7));
    assertEquals(7, changed.getK());
    assertEquals(5, est.getK());
  }

  @Test
  void trainingConfigCarriesEveryTrainingParam() {
    TrainingConfig cfg = new CollisionClustering().setK(4).setLambda(2.5).setMaxIter(3)
        .setBatchSize(64).setStepSize(0.01).setWeightDecay(0.5).setOptimizer("adam")
        .setMomentum(0.9).setEmMaxIter(7).setEmTol(1e-4).setSeed(42).setSchedule("fulldata")
        .setSolver("squarem").setInit("random").setNumRestarts(3).setTemperature(5)
        .trainingConfig();
    assertEquals(new TrainingConfig(4, 2.5, 3, 64, 0.01, 0.5, Optimizer.Kind.ADAM, 0.9, 7, 1e-4,
        42L, Schedule.FULLDATA, Method.CCE, TrainingConfig.DEFAULT_PGD_STEP_SIZE,
        TrainingConfig.DEFAULT_SEED_LABEL_WEIGHT, "squarem", "random", 3, 5.0), cfg);
  }
}
