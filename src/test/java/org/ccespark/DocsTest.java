package org.ccespark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The user documentation stays navigable: every relative link and {@code #anchor} in README.md and
 * docs/*.md resolves, the README stays a short page, and its Quick start's test command is the one
 * {@code .ci/run} runs.
 */
class DocsTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} (.*)$");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    assertTrue(pages.size() > 1, "docs/*.md pages exist");
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      List<String> lines = proseLines(page);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line == null) {
          continue; // inside a fenced code block
        }
        Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
        while (m.find()) {
          String problem = problem(page, m.group(1));
          if (problem != null) {
            broken.add(page + ":" + (i + 1) + ": " + m.group(1) + " (" + problem + ")");
          }
        }
      }
    }
    assertEquals(List.of(), broken, "broken links");
  }

  @Test
  void readmeIsAShortPage() throws IOException {
    long lines = Files.readAllLines(Path.of("README.md")).size();
    assertTrue(lines <= 250, "README.md has " + lines + " lines; move details into docs/");
  }

  @Test
  void ciRunsTheQuickStartTestCommand() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("## Quick start");
    assertTrue(start >= 0, "README has a Quick start");
    String quickStart = readme.substring(start, readme.indexOf("\n## ", start + 1));
    assertTrue(quickStart.contains("```bash\nsubmit/cce demo\n./mvnw test\n```"), quickStart);
    List<String> ci = Files.readAllLines(Path.of(".ci/run"));
    assertTrue(ci.contains("./mvnw test"), ".ci/run runs ./mvnw test");
  }

  /** Why {@code target}, linked from {@code page}, does not resolve; null when it does. */
  private static String problem(Path page, String target) throws IOException {
    if (SCHEME.matcher(target).find()) {
      return null; // http:, https:, mailto: ...
    }
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    Path resolved = file.isEmpty() ? page : page.resolveSibling(file).normalize();
    if (!Files.exists(resolved)) {
      return "no such file " + resolved;
    }
    if (hash < 0) {
      return null;
    }
    String anchor = target.substring(hash + 1);
    if (!resolved.toString().endsWith(".md") || !anchors(resolved).contains(anchor)) {
      return "no heading #" + anchor + " in " + resolved;
    }
    return null;
  }

  /** The page's lines, with null for every line of a fenced code block (fences included). */
  private static List<String> proseLines(Path page) throws IOException {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(page)) {
      boolean fence = line.stripLeading().startsWith("```");
      fenced ^= fence;
      out.add(fence || fenced ? null : line);
    }
    return out;
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats get -1, -2. */
  private static Set<String> anchors(Path page) throws IOException {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : proseLines(page)) {
      Matcher m = line == null ? null : HEADING.matcher(line);
      if (m == null || !m.matches()) {
        continue;
      }
      StringBuilder slug = new StringBuilder();
      m.group(1).strip().toLowerCase(Locale.ROOT).codePoints()
          .filter(c -> Character.isLetterOrDigit(c) || c == ' ' || c == '-' || c == '_')
          .forEach(c -> slug.appendCodePoint(c == ' ' ? '-' : c));
      int n = seen.merge(slug.toString(), 1, Integer::sum) - 1;
      out.add(n == 0 ? slug.toString() : slug + "-" + n);
    }
    return out;
  }
}
