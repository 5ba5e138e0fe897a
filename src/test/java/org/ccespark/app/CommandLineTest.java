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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The hand-written option parser (experiment's), the suggestions for mistyped names, and the
 * mapping of CCE options to estimator params, without Spark jobs.
 */
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
    UsageException e = assertThrows(UsageException.class, () -> parse("--input", "x", "--forse"));
    assertTrue(e.getMessage().contains("did you mean '--force'?"), e.getMessage());
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
