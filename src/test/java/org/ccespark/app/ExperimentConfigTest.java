package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ccespark.app.CommandLine.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key is checked on load, and each error names the key. */
class ExperimentConfigTest {
  @TempDir
  Path tmp;

  private ExperimentConfig load(String text) throws IOException {
    Path f = tmp.resolve("x.properties");
    Files.writeString(f, text);
    return ExperimentConfig.load(f, ExperimentCommand.METHODS);
  }

  private void fails(String text, String... expected) {
    UsageException e = assertThrows(UsageException.class, () -> load(text));
    for (String s : expected) {
      assertTrue(e.getMessage().contains(s), e.getMessage() + " should contain " + s);
    }
  }

  @Test
  void defaultsAndGrid() throws IOException {
    ExperimentConfig c = load("datasets=demo\ntune.cce.stepSize=0.1,1\ntune.cce.lambda=10,100\n"
        + "params.cce.maxIter=3\ndataset.demo.sample=500\n");
    assertEquals("x", c.title);
    assertEquals(List.of("cce", "kmeans"), c.methods);
    assertEquals(6, c.seeds);
    assertEquals(0, c.tuneSeed);
    assertEquals(4, c.gridSize("cce"));
    assertEquals(Map.of("stepSize", "0.1", "lambda", "10"), c.grid("cce").get(0));
    assertEquals(Map.of("maxIter", "3"), c.params.get("cce"));
    assertEquals(500, c.datasets.get(0).sample());
    assertEquals(List.of("demo"), c.clusteringDatasets);
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
    UsageException missing = assertThrows(UsageException.class,
        () -> ExperimentConfig.load(tmp.resolve("none.properties"), ExperimentCommand.METHODS));
    assertTrue(missing.getMessage().contains("none.properties"));
  }

  @Test
  void readmeAndHelpDocumentEveryKey() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String help = ExperimentCommand.COMMAND.help().replaceAll("\\s+", " ");
    for (String[] key : ExperimentConfig.KEYS) {
      assertTrue(readme.contains("| `" + key[0] + "` |"), "README documents " + key[0]);
      assertTrue(help.contains(key[0] + " [default: "), "help documents " + key[0]);
    }
  }

  @Test
  void shippedConfigsAreValidOrNeedOnlyMissingMethods() throws IOException {
    ExperimentConfig demo = ExperimentConfig.load(Path.of("conf/experiments/demo.properties"),
        ExperimentCommand.METHODS);
    assertTrue(demo.outputs.contains("table2"));
    ExperimentConfig table2 = ExperimentConfig.load(
        Path.of("conf/experiments/table2.properties"), ExperimentCommand.METHODS);
    assertEquals(List.of("mnist10k", "fashion-mnist"), table2.clusteringDatasets);
  }
}
