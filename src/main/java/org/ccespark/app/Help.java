package org.ccespark.app;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The tool's help layout, rendered from the commands' picocli specifications (and by
 * {@link CommandLine} for {@code experiment}): usage, description, then one row per option with its
 * default; the tool's command list; and the suggestions for a mistyped name.
 */
final class Help {
  private Help() {}

  /** The spellings of the help flag, as the help lists them. */
  static final String HELP_FLAGS = "-h, --help";
  /** The spellings of the version flag, as the help lists them. */
  static final String VERSION_FLAGS = "-V, --version";

  private static final int WIDTH = 100;
  private static final int OPTION_COLUMN = 26;

  /**
   * The default an option's help shows when it has no value of its own to show: the option is
   * computed from others, or absent means "none" ({@code as read}, {@code Spark's default
   * parallelism}, ...).
   */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  @interface ShowDefault {
    /** The text after {@code default:}. */
    String value();
  }

  /**
   * The {@link OptionSpec#userObject()} of an option built in code, for {@link #help}: the default
   * to show.
   *
   * @param text the text after {@code default:}
   */
  record ShownDefault(String text) {}

  /** The command's help: usage, description, and every option with its default. */
  static String help(CommandSpec spec) {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: ").append(Cli.PROGRAM).append(' ').append(spec.name()).append(' ')
        .append(String.join(" ", spec.usageMessage().customSynopsis())).append("\n\n");
    for (String paragraph : String.join("\n\n", spec.usageMessage().description())
        .split("\n\n")) {
      sb.append(wrap(paragraph, 0)).append("\n\n");
    }
    sb.append("options:\n");
    List<Row> rows = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      String text = String.join(" ", o.description());
      if (o.required()) {
        text += " (required)";
      } else if (shownDefault(o) != null) {
        text += " [default: " + shownDefault(o) + "]";
      }
      rows.add(new Row(head(o), text));
    }
    rows.add(new Row(HELP_FLAGS, "print this help and exit"));
    rows.forEach(r -> sb.append(row(r.head(), r.text(), OPTION_COLUMN)));
    return sb.toString();
  }

  private record Row(String head, String text) {}

  /** How an option's row of the help begins: its name, and the placeholder of its value. */
  static String head(OptionSpec o) {
    return o.longestName() + (o.arity().max() == 0 ? "" : " " + o.paramLabel());
  }

  /** The default the help shows for an option, or null for none. */
  static String shownDefault(OptionSpec o) {
    if (o.userObject() instanceof ShownDefault s) {
      return s.text();
    }
    if (o.userObject() instanceof AnnotatedElement e && e.isAnnotationPresent(ShowDefault.class)) {
      return e.getAnnotation(ShowDefault.class).value();
    }
    return o.arity().max() == 0 ? null : o.defaultValue();
  }

  /** The tool's help: usage and the list of commands. */
  static String toolHelp(List<? extends Cli.Entry> commands) {
    StringBuilder sb = new StringBuilder();
    sb.append(Cli.PROGRAM).append(
        ": clustering by self-labeling with the collision cross-entropy (CCE) on Apache Spark\n\n");
    sb.append("usage: ").append(Cli.PROGRAM).append(" <command> [options]\n")
        .append("       ").append(Cli.PROGRAM).append(" <command> --help\n")
        .append("       ").append(Cli.PROGRAM).append(" help [<command>]\n")
        .append("       ").append(Cli.PROGRAM).append(" --version\n\n");
    List<String> heads = new ArrayList<>(commands.stream().map(Cli.Entry::name).toList());
    heads.addAll(List.of("help", HELP_FLAGS, VERSION_FLAGS));
    int column = 2 + heads.stream().mapToInt(String::length).max().orElse(0) + 3;
    sb.append("commands:\n");
    for (Cli.Entry c : commands) {
      sb.append(row(c.name(), c.summary(), column));
    }
    sb.append(row("help", "print this help, or a command's options", column));
    sb.append("\noptions:\n")
        .append(row(HELP_FLAGS, "print this help and exit", column))
        .append(row(VERSION_FLAGS,
            "print the versions of cce-spark, Spark, Scala and Java, and exit", column));
    sb.append('\n').append(wrap("The Spark master and settings come from the launcher:"
        + " submit/cce runs an embedded local Spark (CCE_MASTER, default local[*]; CCE_DRIVER_MEMORY,"
        + " default 4g); submit/spark-submit-cce submits to any master. Exit status: 0 on success,"
        + " 1 if the run failed (input, output or Spark error), 2 for a bad command line. Errors are"
        + " printed as one line 'error: ...' on standard error; set CCE_DEBUG=1 to also print the"
        + " stack trace.", 0)).append('\n');
    return sb.toString();
  }

  /**
   * One row of a two-column list: {@code head} indented by two spaces, then {@code text} starting
   * at {@code column} and word-wrapped under itself. A head too long to leave two spaces before the
   * column gets a line of its own, so that a name never runs into its description.
   */
  static String row(String head, String text, int column) {
    String indented = "  " + head;
    StringBuilder sb = new StringBuilder(indented);
    if (indented.length() + 2 > column) {
      sb.append('\n').append(" ".repeat(column));
    } else {
      sb.append(" ".repeat(column - indented.length()));
    }
    return sb.append(wrap(text, column).stripLeading()).append('\n').toString();
  }

  /** One row of a command's option list, as {@link #help} and {@link CommandLine} print it. */
  static String optionRow(String head, String text) {
    return row(head, text, OPTION_COLUMN);
  }

  /**
   * The {@code "; did you mean 'x'?"} clause for a mistyped name: the candidates closest to it by
   * edit distance (insertions, deletions, substitutions and swaps of adjacent characters), if
   * within a third of its length without dashes (at least 1, at most 3 edits, and fewer than its
   * length); empty if none is that close.
   *
   * @param given the name as typed, e.g. {@code --sed} or {@code clustr}
   * @param candidates the valid names, in the order to list ties
   */
  static String didYouMean(String given, List<String> candidates) {
    int length = given.replaceFirst("^-+", "").length();
    int limit = Math.min(Math.max(1, Math.min(3, length / 3)), length - 1);
    int best = limit + 1;
    List<String> closest = new ArrayList<>();
    for (String c : candidates) {
      int d = editDistance(given.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d > limit) {
        continue;
      }
      if (d < best) {
        best = d;
        closest.clear();
      }
      if (d == best && !closest.contains(c)) {
        closest.add(c);
      }
    }
    if (closest.isEmpty()) {
      return "";
    }
    return "; did you mean '" + String.join("' or '", closest) + "'?";
  }

  /**
   * The optimal-string-alignment distance: the fewest insertions, deletions, substitutions and
   * swaps of two adjacent characters that turn {@code a} into {@code b}.
   */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** Word-wraps {@code text} to {@link #WIDTH} columns, indenting continuation lines. */
  static String wrap(String text, int indent) {
    StringBuilder sb = new StringBuilder();
    int column = 0;
    for (String word : text.trim().split("\\s+")) {
      if (column > indent && column + 1 + word.length() > WIDTH) {
        sb.append('\n');
        column = 0;
      }
      if (column == 0) {
        sb.append(" ".repeat(indent));
        column = indent;
      } else {
        sb.append(' ');
        column++;
      }
      sb.append(word);
      column += word.length();
    }
    return sb.toString();
  }
}
