package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ccespark.app.CommandLine.Command;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.ml.CollisionClustering;
import org.junit.jupiter.api.Test;

/** The option parser and the mapping of CCE options to estimator params, without Spark jobs. */
class CommandLineTest {
  private static final Command CMD = new Command("test", "[options]", "a test", "A test.",
      List.of(Option.required("--input", "PATH", "input"),
          Option.value("--n", "N", "3", "a number"),
          Option.flag("--force", "a flag")));

  private static Parsed parse(String... args) {
    return CommandLine.parse(CMD, args);
  }

  @Test
  void parsesSpaceAndEqualsFormsAndFlags() {
    Parsed p = parse("--input", "a b.csv", "--n=5", "--force");
    assertEquals("a b.csv", p.required("--input"));
    assertEquals(5, p.integer("--n", 3, 1));
    assertTrue(p.has("--force"));
    Parsed q = parse("--input=x");
    assertEquals(3, q.integer("--n", 3, 1));
    assertFalse(q.has("--force"));
  }

  @Test
  void rejectsMalformedCommandLines() {
    String[][] bad = {
        {"--n", "4"}, // --input missing
        {"--input", "x", "--input", "y"},
        {"--input", "x", "--force=yes"},
        {"--input", "x", "--n"},
        {"--input", "x", "stray"},
        {"--input", "x", "--nope", "1"},
    };
    for (String[] args : bad) {
      assertThrows(UsageException.class, () -> parse(args), String.join(" ", args));
    }
    assertThrows(UsageException.class, () -> parse("--input", "x", "--n", "two")
        .integer("--n", 3, 1));
    assertThrows(UsageException.class, () -> parse("--input", "x", "--n", "0")
        .integer("--n", 3, 1));
  }

  @Test
  void suggestsTheClosestNamesByEditDistance() {
    assertEquals(0, CommandLine.editDistance("seed", "seed"));
    assertEquals(1, CommandLine.editDistance("--sed", "--seed"));
    assertEquals(1, CommandLine.editDistance("clsuter", "cluster")); // a swap counts once
    assertEquals(3, CommandLine.editDistance("kitten", "sitting"));
    List<String> options = List.of("--seed", "--seeds", "--k", "--lambda");
    assertEquals("; did you mean '--seed'?", CommandLine.didYouMean("--sed", options));
    assertEquals("; did you mean '--seed' or '--seeds'?",
        CommandLine.didYouMean("--seedz", options));
    assertEquals("; did you mean '--lambda'?", CommandLine.didYouMean("--LAMDA", options));
    assertEquals("", CommandLine.didYouMean("--x", options));
    assertEquals("", CommandLine.didYouMean("--output", options));
    UsageException e = assertThrows(UsageException.class, () -> parse("--input", "x", "--forse"));
    assertTrue(e.getMessage().contains("did you mean '--force'?"), e.getMessage());
  }

  @Test
  void cceOptionsSetTheEstimatorsParams() {
    CollisionClustering e = new CollisionClustering();
    ClusteringRun.set(e, "--epochs", "7");
    ClusteringRun.set(e, "--lambda", "2.5");
    ClusteringRun.set(e, "--optimizer", "ADAM");
    ClusteringRun.set(e, "--seed", "12345678901");
    assertEquals(7, e.getMaxIter());
    assertEquals(2.5, e.getLambda());
    assertEquals("adam", e.getOptimizer());
    assertEquals(12345678901L, e.getSeed());

    UsageException invalid = assertThrows(UsageException.class,
        () -> ClusteringRun.set(e, "--em-tol", "0"));
    assertTrue(invalid.getMessage().contains("--em-tol"), invalid.getMessage());
    assertThrows(UsageException.class, () -> ClusteringRun.set(e, "--k", "2.5"));
    assertThrows(UsageException.class, () -> ClusteringRun.set(e, "--schedule", "online"));
  }

  @Test
  void standardizationOptionTakesTrueOrFalse() {
    CollisionClustering e = new CollisionClustering();
    assertTrue(e.getStandardization());
    ClusteringRun.set(e, "--standardization", "FALSE");
    assertEquals(false, e.getStandardization());
    ClusteringRun.set(e, "--standardization", "true");
    assertTrue(e.getStandardization());
    UsageException bad = assertThrows(UsageException.class,
        () -> ClusteringRun.set(e, "--standardization", "yes"));
    assertTrue(bad.getMessage().contains("--standardization expects true or false"),
        bad.getMessage());
    Option help = ClusteringRun.cceOptions(List.of("--standardization"), List.of()).get(0);
    assertEquals("true|false", help.metavar());
    assertEquals("true", help.defaultText());
    assertTrue(ClusteringRun.cceOptionNames().contains("--standardization"));
  }

  @Test
  void helpShowsTheEstimatorsDefaults() {
    List<Option> options = ClusteringRun.cceOptions(List.of("--k", "--lambda", "--em-tol"),
        List.of("--k"));
    assertTrue(options.get(0).required());
    assertEquals("100 for cce, cce-pgd; 25 for sela; 1 for miadm, migd",
        options.get(1).defaultText());
    assertEquals(ClusteringRun.show(new CollisionClustering().getEmTol()),
        options.get(2).defaultText());
    assertEquals("1e-6", ClusteringRun.show(1e-6));
    assertEquals("0.001", ClusteringRun.show(0.001));
  }
}
