package org.ccespark.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small hand-written parser for {@code command --name value --flag ...} command lines, and the
 * help text of each command. Options take the forms {@code --name value} and {@code --name=value};
 * flags take no value. Each option may be given once. Anything not declared is an error.
 */
final class CommandLine {
  private CommandLine() {}

  /** The program name used in help and error messages. */
  static final String PROGRAM = "cce";

  private static final int WIDTH = 100;
  private static final int OPTION_COLUMN = 26;

  /** The spellings of the help flag, as the help lists them. */
  static final String HELP_FLAGS = "-h, --help";
  /** The spellings of the version flag, as the help lists them. */
  static final String VERSION_FLAGS = "-V, --version";

  /** A command-line error (unknown or malformed option, missing or invalid value): exit code 2. */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * A declared option.
   *
   * @param name the option with its dashes, e.g. {@code --k}
   * @param metavar the placeholder of its value in the help, or null for a flag
   * @param defaultText the default as shown in the help, or null for none
   * @param required whether the option must be given
   * @param help what it means
   */
  record Option(String name, String metavar, String defaultText, boolean required, String help) {
    static Option value(String name, String metavar, String defaultText, String help) {
      return new Option(name, metavar, defaultText, false, help);
    }

    static Option required(String name, String metavar, String help) {
      return new Option(name, metavar, null, true, help);
    }

    static Option flag(String name, String help) {
      return new Option(name, null, null, false, help);
    }

    boolean isFlag() {
      return metavar == null;
    }
  }

  /**
   * A subcommand.
   *
   * @param name its name, e.g. {@code cluster}
   * @param synopsis the argument part of its usage line
   * @param summary one line for the tool's command list
   * @param description paragraphs printed under the usage line
   * @param options its options, in help order
   */
  record Command(String name, String synopsis, String summary, String description,
      List<Option> options) {
    /** The names of its options with their dashes, in help order (without {@code --help}). */
    List<String> optionNames() {
      return options.stream().map(Option::name).toList();
    }

    Option option(String optionName) {
      for (Option o : options) {
        if (o.name().equals(optionName)) {
          return o;
        }
      }
      return null;
    }

    /** The command's help: usage, description, and every option with its default. */
    String help() {
      StringBuilder sb = new StringBuilder();
      sb.append("usage: ").append(PROGRAM).append(' ').append(name).append(' ').append(synopsis)
          .append("\n\n");
      for (String paragraph : description.split("\n\n")) {
        sb.append(wrap(paragraph, 0)).append("\n\n");
      }
      sb.append("options:\n");
      for (Option o : options) {
        String text = o.help();
        if (o.required()) {
          text += " (required)";
        } else if (o.defaultText() != null) {
          text += " [default: " + o.defaultText() + "]";
        }
        sb.append(row(o.name() + (o.isFlag() ? "" : " " + o.metavar()), text, OPTION_COLUMN));
      }
      sb.append(row(HELP_FLAGS, "print this help and exit", OPTION_COLUMN));
      return sb.toString();
    }
  }

  /** The values of one parsed command line. */
  static final class Parsed {
    private final Command command;
    private final Map<String, String> values;

    Parsed(Command command, Map<String, String> values) {
      this.command = command;
      this.values = values;
    }

    /** Whether the option (or flag) was given. */
    boolean has(String name) {
      return values.containsKey(declared(name).name());
    }

    /** The option's value as given, or {@code fallback} if it was not given. */
    String string(String name, String fallback) {
      String v = values.get(declared(name).name());
      return v == null ? fallback : v;
    }

    /** The value of an option that {@link #parse} has checked to be present. */
    String required(String name) {
      return values.get(declared(name).name());
    }

    /** The option's value, which must be one of {@code allowed} (case-insensitive), lower-cased. */
    String choice(String name, List<String> allowed, String fallback) {
      String v = string(name, fallback);
      String lower = v.toLowerCase(Locale.ROOT);
      if (!allowed.contains(lower)) {
        throw new UsageException(name + " must be one of " + String.join(", ", allowed)
            + ", got '" + v + "'");
      }
      return lower;
    }

    /** The option's value as an int of at least {@code min}. */
    int integer(String name, int fallback, int min) {
      String v = values.get(declared(name).name());
      if (v == null) {
        return fallback;
      }
      int x;
      try {
        x = Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        if (v.trim().matches("[+-]?\\d+")) {
          throw new UsageException(name + " must be an integer from " + min + " to at most "
              + Integer.MAX_VALUE + ", got " + v.trim());
        }
        throw new UsageException(name + " expects an integer, got '" + v + "'");
      }
      if (x < min) {
        throw new UsageException(name + " must be at least " + min + ", got " + x);
      }
      return x;
    }

    /**
     * The option's value as a finite double of at least {@code min}.
     */
    double number(String name, double fallback, double min) {
      String v = values.get(declared(name).name());
      if (v == null) {
        return fallback;
      }
      double x;
      try {
        x = Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        throw new UsageException(name + " expects a number, got '" + v + "'");
      }
      if (!(x >= min) || Double.isInfinite(x)) {
        throw new UsageException(name + " must be a finite number of at least " + min + ", got "
            + v);
      }
      return x;
    }

    /**
     * These values, with every option not given taking its value from {@code defaults} (keys are
     * option names without the dashes, as in a properties file; a flag's value is true or false).
     *
     * @param source what the defaults came from, for error messages
     * @throws UsageException naming the source and the key, for an unknown option or a flag whose
     *     value is not true or false
     */
    Parsed withDefaults(Map<String, String> defaults, String source) {
      Map<String, String> merged = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : defaults.entrySet()) {
        Option o = command.option("--" + e.getKey());
        if (o == null) {
          throw new UsageException(source + ": unknown option '" + e.getKey() + "'"
              + didYouMean(e.getKey(), command.optionNames().stream()
                  .map(n -> n.substring(2)).toList()));
        }
        String v = e.getValue().trim();
        if (o.isFlag()) {
          if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new UsageException(source + ": " + e.getKey() + " is a flag: true or false, got '"
                + v + "'");
          }
          if (v.equalsIgnoreCase("true")) {
            merged.put(o.name(), "true");
          }
        } else {
          merged.put(o.name(), v);
        }
      }
      merged.putAll(values);
      return new Parsed(command, merged);
    }

    private Option declared(String name) {
      Option o = command.option(name);
      if (o == null) {
        throw new IllegalStateException("option " + name + " is not declared by " + command.name());
      }
      return o;
    }
  }

  /** Whether the arguments ask for help ({@code -h} or {@code --help} anywhere). */
  static boolean wantsHelp(String[] args) {
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses the arguments after the command name.
   *
   * @throws UsageException for an unknown option, a missing value, a repeated option, a stray
   *     argument, or a missing required option
   */
  static Parsed parse(Command command, String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    String seeHelp = " (see '" + PROGRAM + " " + command.name() + " --help')";
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "' for '" + command.name() + "'"
            + seeHelp);
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      Option option = command.option(name);
      if (option == null) {
        throw new UsageException("unknown option '" + name + "' for '" + command.name() + "'"
            + didYouMean(name, command.optionNames()) + seeHelp);
      }
      String value;
      if (option.isFlag()) {
        if (eq >= 0) {
          throw new UsageException(name + " is a flag and takes no value");
        }
        value = "true";
      } else if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException(name + " needs a value (" + option.metavar() + ")");
      }
      if (values.put(name, value) != null) {
        throw new UsageException(name + " is given more than once");
      }
    }
    for (Option o : command.options()) {
      if (o.required() && !values.containsKey(o.name())) {
        throw new UsageException("missing required option " + o.name() + " " + o.metavar()
            + " for '" + command.name() + "'" + seeHelp);
      }
    }
    return new Parsed(command, values);
  }

  /** The tool's help: usage and the list of commands. */
  static String toolHelp(List<Command> commands) {
    StringBuilder sb = new StringBuilder();
    sb.append(PROGRAM).append(
        ": clustering by self-labeling with the collision cross-entropy (CCE) on Apache Spark\n\n");
    sb.append("usage: ").append(PROGRAM).append(" <command> [options]\n")
        .append("       ").append(PROGRAM).append(" <command> --help\n")
        .append("       ").append(PROGRAM).append(" help [<command>]\n")
        .append("       ").append(PROGRAM).append(" --version\n\n");
    List<String> heads = new ArrayList<>(commands.stream().map(Command::name).toList());
    heads.addAll(List.of("help", HELP_FLAGS, VERSION_FLAGS));
    int column = 2 + heads.stream().mapToInt(String::length).max().orElse(0) + 3;
    sb.append("commands:\n");
    for (Command c : commands) {
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
