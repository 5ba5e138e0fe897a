package org.ccespark.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ccespark.data.PcaFeatures;
import org.ccespark.data.SettingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key is checked on load, and each error names the key. */
class ExperimentConfigTest {
  @TempDir
  Path tmp;

  private ExperimentConfig load(String text) throws IOException {
    Path f = tmp.resolve("x.properties");
    Files.writeString(f, text);
    return ExperimentConfig.load(f);
  }

  private void fails(String text, String... expected) {
    SettingException e = assertThrows(SettingException.class, () -> load(text));
    for (String s : expected) {
      assertTrue(e.getMessage().contains(s), e.getMessage() + " should contain " + s);
    }
  }

  @Test
  void defaultsAndGrid() throws IOException {
    ExperimentConfig c = load("datasets=demo\ntune.cce.stepSize=0.1,1\ntune.cce.lambda=10,100\n"
        + "params.cce.maxIter=3\ndataset.demo.sample=500\n");
    assertEquals("x", c.title());
    assertEquals(List.of("cce", "kmeans"), c.methods());
    assertEquals(6, c.seeds());
    assertEquals(0, c.tuning().seed());
    assertEquals(4, c.tuning().gridSize("cce"));
    assertEquals(Map.of("stepSize", "0.1", "lambda", "10"), c.tuning().grid("cce").get(0));
    assertEquals(Map.of("maxIter", "3"), c.params().get("cce"));
    assertEquals(500, c.datasets().get(0).sample());
    assertEquals(List.of("demo"), c.clusteringDatasets());
    assertEquals(PcaFeatures.Spec.RAW, c.datasets().get(0).features());
    assertEquals(null, c.tuning().budget());
  }

  @Test
  void budgetDrawsTheSameNumberOfPointsFromLargerGrids() throws IOException {
    String text = "datasets=demo\nmethods=cce,sela\ntune.budget=4\n"
        + "tune.cce.stepSize=0.1,0.5\ntune.cce.lambda=25,100\n"
        + "tune.sela.stepSize=0.1,0.5\ntune.sela.lambda=5,25,100\ntune.sela.emTol=1e-5,1e-3\n"
        + "dataset.demo.features=pca:20:whiten\n";
    ExperimentConfig c = load(text);
    assertEquals(new PcaFeatures.Spec(20, PcaFeatures.Scaling.WHITEN),
        c.datasets().get(0).features());
    assertEquals(c.tuning().fullGrid("cce"), c.tuning().grid("cce"));
    List<Map<String, String>> sela = c.tuning().grid("sela");
    assertEquals(4, sela.size());
    assertEquals(12, c.tuning().gridSize("sela"));
    assertEquals(4, new java.util.HashSet<>(sela).size());
    List<Map<String, String>> all = c.tuning().fullGrid("sela");
    for (int i = 1; i < sela.size(); i++) {
      assertTrue(all.indexOf(sela.get(i - 1)) < all.indexOf(sela.get(i)), "grid order");
    }
    assertEquals(sela, load(text).tuning().grid("sela"), "the same draw every time");
    fails(text.replace("tune.budget=4", "tune.budget=5"), "tune.cce", "fewer than tune.budget");
    fails("datasets=demo\nmethods=cce,sela\ntune.cce.stepSize=0.1,0.5\n"
        + "tune.sela.stepSize=0.1,0.5,1\n", "tune.", "same budget");
    fails("datasets=demo\ndataset.demo.features=pixels\n", "dataset.demo.features", "pca:D");
  }

  @Test
  void errorsNameTheKey() {
    fails("datasets=demo\nseeds=zero\n", "seeds", "integer");
    fails("datasets=demo\nfoo=1\n", "foo", "unknown key");
    fails("datasets=demo\ndataset.other.sample=3\n", "dataset.other.sample", "unknown key");
    fails("datasets=demo\nmethods=cce,nosuch\n", "methods", "nosuch");
    fails("datasets=demo\nparams.cce.lambda=-1\n", "params.cce.lambda", "invalid value");
    fails("datasets=demo\nparams.cce.nosuch=1\n", "params.cce.nosuch", "no param");
    fails("datasets=demo\nparams.kmeans.maxIter=3\n", "params.kmeans.maxIter", "takes no params");
    fails("datasets=demo\ntune.cce.stepSize=0.1,x\n", "tune.cce.stepSize", "not a valid value");
    fails("datasets=demo\ntune.seed=2\ntune.cce.stepSize=0.1,1\n", "tune.seed", "reported seed");
    fails("outputs=table2\n", "datasets", "required");
    fails("datasets=demo\noutputs=table2,table6\n", "table6", "cce-pgd");
    fails("datasets=demo\noutputs=nosuch\n", "outputs", "nosuch");
    fails("datasets=demo\nsemi.fractions=0.1,2\n", "semi.fractions", "(0, 1)");
    fails("datasets=demo\ndataset.demo.format=csv\n", "dataset.demo.format", "path");
    fails("datasets=demo\nparams.cce.maxIter=2\ntune.cce.maxIter=1,2\n", "tune.cce.maxIter",
        "also fixed");
    SettingException missing = assertThrows(SettingException.class,
        () -> ExperimentConfig.load(tmp.resolve("none.properties")));
    assertTrue(missing.getMessage().contains("none.properties"));
  }

  @Test
  void docsDocumentEveryKey() throws IOException {
    String docs = Files.readString(Path.of("docs/experiments.md"));
    String help = ConfigKeys.help().replaceAll("\\s+", " ");
    for (String[] key : ConfigKeys.KEYS) {
      assertTrue(docs.contains("| `" + key[0] + "` |"), "docs/experiments.md documents " + key[0]);
      assertTrue(help.contains(key[0] + " [default: "), "the keys' help documents " + key[0]);
    }
  }

  @Test
  void shippedConfigsAreValidOrNeedOnlyMissingMethods() throws IOException {
    ExperimentConfig demo = ExperimentConfig.load(Path.of("conf/experiments/demo.properties"));
    assertTrue(demo.outputs().contains("table2"));
    ExperimentConfig table2 = ExperimentConfig.load(
        Path.of("conf/experiments/table2.properties"));
    assertEquals(List.of("mnist10k", "fashion-mnist"), table2.clusteringDatasets());
    ExperimentConfig pca = ExperimentConfig.load(
        Path.of("conf/experiments/table2-pca.properties"));
    ExperimentConfig strong = ExperimentConfig.load(
        Path.of("conf/experiments/table2-strong.properties"));
    assertEquals(List.of("fmnist-test", "mnist10k"), strong.clusteringDatasets());
    // the folders submit/strong-features writes
    assertEquals("target/strong-features/fashion-mnist-test", strong.datasets().get(0).path());
    assertEquals("target/strong-features/mnist10k", strong.datasets().get(1).path());
    assertEquals(List.of("cce", "cce-pgd", "sela", "miadm", "migd", "kmeans"), strong.methods());
    for (ExperimentConfig c : List.of(table2, pca, strong)) {
      for (String m : c.methods()) {
        assertEquals(m.equals("kmeans") ? 1 : 6, c.tuning().grid(m).size(), m + "'s tuning budget");
      }
      assertEquals(6, c.seeds());
    }
    assertEquals(new PcaFeatures.Spec(50, PcaFeatures.Scaling.NONE),
        pca.datasets().get(0).features());
    // every experiment configuration shipped loads and plans (deep-*.properties are train-deep's)
    try (java.util.stream.Stream<Path> files = Files.list(Path.of("conf/experiments"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".properties")
          && !f.getFileName().toString().startsWith("deep-")).toList()) {
        assertTrue(ExperimentPlan.of(ExperimentConfig.load(f)).totalRuns() >= 0, f.toString());
      }
    }
  }
  @Test
  void moreRunsConfigFixesAPointOfTable2StrongsGridAndContinuesItsRuns() {
    ExperimentConfig strong = ExperimentConfig.load(
        Path.of("conf/experiments/table2-strong.properties"));
    ExperimentConfig more = ExperimentConfig.load(
        Path.of("conf/experiments/table2-strong-18.properties"));
    assertEquals(List.of("fmnist-test"), more.clusteringDatasets());
    assertEquals(strong.datasets().get(0), more.datasets().get(0));
    assertEquals(strong.restarts(), more.restarts());
    assertEquals(18, more.seeds());
    for (String m : more.methods()) {
      assertTrue(strong.methods().contains(m), m);
      assertTrue(more.tuning().grid(m).size() <= 1, m + " is not tuned again");
      if (m.equals("kmeans")) {
        continue;
      }
      Map<String, String> fixed = new java.util.TreeMap<>(more.params().get(m));
      boolean onTheGrid = false;
      for (Map<String, String> point : strong.tuning().grid(m)) {
        Map<String, String> p = new java.util.TreeMap<>(strong.params().get(m));
        p.putAll(point);
        onTheGrid |= p.equals(fixed);
      }
      assertTrue(onTheGrid, m + "'s params " + fixed + " are a point of table2-strong's grid");
    }
  }
}
