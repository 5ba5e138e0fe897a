package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * docs/cli-reference.md is what {@link CliReference} generates from the commands' option
 * definitions: a changed option, default or help text fails here until the page is regenerated
 * ({@code -Dcli.reference.write=true} rewrites it).
 */
class CliReferenceTest {
  @Test
  void theReferencePageIsGeneratedFromTheOptions() throws IOException {
    String generated = CliReference.markdown();
    if (Boolean.getBoolean("cli.reference.write")) {
      Files.writeString(CliReference.PAGE, generated);
    }
    String page = Files.exists(CliReference.PAGE) ? Files.readString(CliReference.PAGE) : "";
    assertEquals(generated, page, CliReference.PAGE + " is not what the options generate;"
        + " regenerate it with: " + CliReference.REGENERATE);
  }

  @Test
  void everyCommandAndOptionIsOnThePage() {
    String page = CliReference.markdown();
    for (Cli.Entry c : Main.COMMANDS) {
      assertTrue(page.contains("## cce " + c.name() + "\n"), c.name());
      for (String head : c.optionHeads()) {
        assertTrue(page.contains("  " + head), c.name() + " " + head);
      }
    }
  }
}
