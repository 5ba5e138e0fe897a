package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.ml.CollisionClustering;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The suggestions for mistyped names and the mapping of CCE options to estimator params, without
 * Spark jobs (parsing itself is picocli's, tested through {@code Main} in {@code MainTest}).
 */
class CommandLineTest {
  @Test
  void suggestsTheClosestNamesByEditDistance() {
    assertEquals(0, Help.editDistance("seed", "seed"));
    assertEquals(1, Help.editDistance("--sed", "--seed"));
    assertEquals(1, Help.editDistance("clsuter", "cluster")); // a swap counts once
    assertEquals(3, Help.editDistance("kitten", "sitting"));
    List<String> options = List.of("--seed", "--seeds", "--k", "--lambda");
    assertEquals("; did you mean '--seed'?", Help.didYouMean("--sed", options));
    assertEquals("; did you mean '--seed' or '--seeds'?",
        Help.didYouMean("--seedz", options));
    assertEquals("; did you mean '--lambda'?", Help.didYouMean("--LAMDA", options));
    assertEquals("", Help.didYouMean("--x", options));
    assertEquals("", Help.didYouMean("--output", options));
  }

  @Test
  void cceOptionsSetTheEstimatorsParams() {
    CollisionClustering e = new CollisionClustering();
    CceOptions.set(e, "--epochs", "7");
    CceOptions.set(e, "--lambda", "2.5");
    CceOptions.set(e, "--optimizer", "ADAM");
    CceOptions.set(e, "--seed", "12345678901");
    assertEquals(7, e.getMaxIter());
    assertEquals(2.5, e.getLambda());
    assertEquals("adam", e.getOptimizer());
    assertEquals(12345678901L, e.getSeed());

    UsageException invalid = assertThrows(UsageException.class,
        () -> CceOptions.set(e, "--em-tol", "0"));
    assertTrue(invalid.getMessage().contains("--em-tol"), invalid.getMessage());
    assertThrows(UsageException.class, () -> CceOptions.set(e, "--k", "2.5"));
    assertThrows(UsageException.class, () -> CceOptions.set(e, "--schedule", "online"));
  }

  @Test
  void standardizationOptionTakesTrueOrFalse() {
    CollisionClustering e = new CollisionClustering();
    assertTrue(e.getStandardization());
    CceOptions.set(e, "--standardization", "FALSE");
    assertEquals(false, e.getStandardization());
    CceOptions.set(e, "--standardization", "true");
    assertTrue(e.getStandardization());
    UsageException bad = assertThrows(UsageException.class,
        () -> CceOptions.set(e, "--standardization", "yes"));
    assertTrue(bad.getMessage().contains("--standardization expects true or false"),
        bad.getMessage());
    CommandSpec spec = CommandSpec.create();
    CceOptions.addTo(spec, List.of("--standardization"), List.of());
    OptionSpec help = spec.findOption("--standardization");
    assertEquals("true|false", help.paramLabel());
    assertEquals("true", Help.shownDefault(help));
    assertTrue(CceOptions.names().contains("--standardization"));
  }

  @Test
  void helpShowsTheEstimatorsDefaults() {
    CommandSpec spec = CommandSpec.create();
    CceOptions.addTo(spec, List.of("--k", "--lambda", "--em-tol"), List.of("--k"));
    List<OptionSpec> options = spec.options();
    assertTrue(options.get(0).required());
    assertEquals("100 for cce, cce-pgd; 25 for sela; 1 for miadm, migd",
        Help.shownDefault(options.get(1)));
    assertEquals(CceOptions.show(new CollisionClustering().getEmTol()),
        Help.shownDefault(options.get(2)));
    assertEquals("1e-6", CceOptions.show(1e-6));
    assertEquals("0.001", CceOptions.show(0.001));
  }
}
