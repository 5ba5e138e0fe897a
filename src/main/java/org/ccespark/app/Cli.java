package org.ccespark.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Supplier;
import org.ccespark.app.CommandLine.UsageException;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The commands' options with picocli: each command is a class whose annotated fields are its
 * options (their {@code defaultValue} is both what {@code --help} shows and what parsing gives),
 * parsed here with the tool's messages for usage errors (one line, a suggestion for a mistyped
 * name) and shown in the tool's help layout, which {@link CliReference} writes to
 * docs/cli-reference.md.
 */
final class Cli {
  private Cli() {}

  /** The program name used in help and error messages. */
  static final String PROGRAM = "cce";
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

  /** A command: its picocli-annotated options and what it does with them. */
  interface Command {
    /**
     * Adds the options built in code (such as the estimator's, {@link CceOptions}) after the
     * annotated ones; none by default.
     */
    default void addOptions(CommandSpec spec) {}

    /**
     * Runs the command with its parsed options.
     *
     * @param out where results and progress go
     */
    void run(PrintStream out) throws Exception;
  }

  /**
   * A command whose options may also come from a properties file ({@code --config FILE}: keys are
   * option names without the dashes; a flag's value is true or false); the command line wins.
   */
  interface Configurable {
    /** @return the properties file given, or null */
    String configFile();
  }

  /**
   * A command of the tool, as {@link Main} dispatches it and the help lists it.
   */
  interface Entry {
    /** @return its name, e.g. {@code cluster} */
    String name();

    /** @return one line for the tool's command list */
    String summary();

    /** @return the help that {@code cce NAME --help} prints */
    String help();

    /**
     * @return each option as its row of the help begins: the name, and for an option that takes
     *     a value the placeholder of the value, e.g. {@code --k K}
     */
    List<String> optionHeads();

    /**
     * Parses the arguments after the command name and runs the command.
     *
     * @throws UsageException for a command line that cannot be accepted
     */
    void run(String[] args, PrintStream out) throws Exception;
  }

  /** A command built on picocli: a fresh instance per run, parsed by {@link #parse}. */
  record Picocli(Supplier<? extends Command> factory) implements Entry {
    @Override
    public String name() {
      return spec().name();
    }

    @Override
    public String summary() {
      return String.join(" ", spec().usageMessage().header());
    }

    @Override
    public String help() {
      return Cli.help(spec());
    }

    @Override
    public List<String> optionHeads() {
      return spec().options().stream().map(Cli::head).toList();
    }

    /** The command's specification: its options with their help and defaults. */
    CommandSpec spec() {
      return create(factory.get()).getCommandSpec();
    }

    @Override
    public void run(String[] args, PrintStream out) throws Exception {
      Command command = factory.get();
      parse(create(command), args);
      if (command instanceof Configurable c && c.configFile() != null) {
        String file = c.configFile();
        command = factory.get();
        picocli.CommandLine cl = create(command);
        cl.setDefaultValueProvider(defaults(cl.getCommandSpec(), read(Path.of(file)),
            "--config " + file));
        parse(cl, args);
      }
      command.run(out);
    }

    private static Properties read(Path file) {
      Properties config = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        config.load(in);
      } catch (IOException e) {
        throw new UsageException("--config " + file + " cannot be read: " + e.getMessage());
      }
      return config;
    }

    /**
     * The options' values in a properties file, as defaults of the command line.
     *
     * @throws UsageException naming the source and the key, for an unknown option, another
     *     config, or a flag whose value is not true or false
     */
    private static IDefaultValueProvider defaults(CommandSpec spec, Properties config,
        String source) {
      List<String> names = spec.options().stream().map(o -> o.longestName().substring(2))
          .toList();
      for (String key : config.stringPropertyNames()) {
        OptionSpec o = spec.findOption("--" + key);
        if (key.equals("config")) {
          throw new UsageException(source + ": a config cannot name another");
        }
        if (o == null) {
          throw new UsageException(source + ": unknown option '" + key + "'"
              + didYouMean(key, names));
        }
        String v = config.getProperty(key).trim();
        if (o.arity().max() == 0 && !v.equalsIgnoreCase("true")
            && !v.equalsIgnoreCase("false")) {
          throw new UsageException(source + ": " + key + " is a flag: true or false, got '" + v
              + "'");
        }
      }
      return arg -> arg instanceof OptionSpec o
          ? trimmed(config.getProperty(o.longestName().substring(2))) : null;
    }

    private static String trimmed(String value) {
      return value == null ? null : value.trim();
    }
  }

  /** A command still on the hand-written parser ({@link CommandLine}). */
  record Legacy(CommandLine.Command command, Runner runner) implements Entry {
    /** How the command runs on its parsed options. */
    interface Runner {
      void run(CommandLine.Parsed args, PrintStream out) throws Exception;
    }

    @Override
    public String name() {
      return command.name();
    }

    @Override
    public String summary() {
      return command.summary();
    }

    @Override
    public String help() {
      return command.help();
    }

    @Override
    public List<String> optionHeads() {
      return command.options().stream()
          .map(o -> o.name() + (o.isFlag() ? "" : " " + o.metavar())).toList();
    }

    @Override
    public void run(String[] args, PrintStream out) throws Exception {
      runner.run(CommandLine.parse(command, args), out);
    }
  }

  /** A picocli command line for {@code command}, with the tool's number converters. */
  static picocli.CommandLine create(Object command) {
    picocli.CommandLine cl = new picocli.CommandLine(command);
    if (command instanceof Command c) {
      c.addOptions(cl.getCommandSpec());
    }
    cl.setExpandAtFiles(false); // an argument may start with @
    cl.setOverwrittenOptionsAllowed(false);
    cl.registerConverter(Integer.class, new IntAtLeast(Integer.MIN_VALUE));
    cl.registerConverter(Integer.TYPE, new IntAtLeast(Integer.MIN_VALUE));
    cl.registerConverter(Long.class, Cli::parseLong);
    cl.registerConverter(Long.TYPE, Cli::parseLong);
    cl.registerConverter(Double.class, new NumberAtLeast(-Double.MAX_VALUE));
    cl.registerConverter(Double.TYPE, new NumberAtLeast(-Double.MAX_VALUE));
    return cl;
  }

  /**
   * Parses the arguments after the command name into the command's fields.
   *
   * @throws UsageException for an unknown option, a missing or invalid value, a repeated option, a
   *     stray argument, or a missing required option
   */
  static void parse(picocli.CommandLine cl, String[] args) {
    for (String arg : args) {
      int eq = arg.indexOf('=');
      OptionSpec o = arg.startsWith("--") && eq > 0
          ? cl.getCommandSpec().findOption(arg.substring(0, eq)) : null;
      if (o != null && o.arity().max() == 0) { // picocli would take --flag=true
        throw new UsageException(o.longestName() + " is a flag and takes no value");
      }
    }
    try {
      cl.parseArgs(args);
    } catch (ParameterException e) {
      throw new UsageException(message(cl.getCommandSpec(), e));
    }
  }

  /** The one-line message of a picocli parse error, in the words of the tool's other errors. */
  private static String message(CommandSpec spec, ParameterException e) {
    String command = spec.name();
    String seeHelp = " (see '" + PROGRAM + " " + command + " --help')";
    if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String arg = u.getUnmatched().get(0);
      if (!arg.startsWith("-")) {
        return "unexpected argument '" + arg + "' for '" + command + "'" + seeHelp;
      }
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      OptionSpec known = spec.findOption(name);
      if (known != null && known.arity().max() == 0) {
        return name + " is a flag and takes no value";
      }
      List<String> names = spec.options().stream().map(OptionSpec::longestName).toList();
      return "unknown option '" + name + "' for '" + command + "'" + didYouMean(name, names)
          + seeHelp;
    }
    if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
      ArgSpec missing = m.getMissing().get(0);
      if (missing instanceof OptionSpec o && e.getMessage().startsWith("Missing required option")) {
        return "missing required option " + o.longestName() + " " + o.paramLabel() + " for '"
            + command + "'" + seeHelp;
      }
      if (missing instanceof OptionSpec o) {
        return o.longestName() + " needs a value (" + o.paramLabel() + ")";
      }
    }
    if (e instanceof OverwrittenOptionException w && w.getOverwritten() instanceof OptionSpec o) {
      return o.longestName() + " is given more than once";
    }
    if (e.getArgSpec() instanceof OptionSpec o && o.arity().max() == 0) {
      return o.longestName() + " is a flag and takes no value";
    }
    if (e.getCause() instanceof UsageException u) {
      return u.getMessage();
    }
    if (e.getCause() instanceof TypeConversionException t
        && e.getArgSpec() instanceof OptionSpec o) {
      return o.longestName() + " " + t.getMessage();
    }
    return e.getMessage();
  }

  /** Whether the option was on the command line just parsed into {@code spec}'s command. */
  static boolean given(CommandSpec spec, String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  // ------------------------------------------------------------------------------ converters

  private static Long parseLong(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("expects an integer, got '" + v + "'");
    }
  }

  /** An int of at least {@code min}; subclasses name the usual bounds for annotations. */
  static class IntAtLeast implements ITypeConverter<Integer> {
    private final int min;

    IntAtLeast(int min) {
      this.min = min;
    }

    @Override
    public Integer convert(String v) {
      int x;
      try {
        x = Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        if (v.trim().matches("[+-]?\\d+")) {
          throw new TypeConversionException("must be an integer from " + min + " to at most "
              + Integer.MAX_VALUE + ", got " + v.trim());
        }
        throw new TypeConversionException("expects an integer, got '" + v + "'");
      }
      if (x < min) {
        throw new TypeConversionException("must be at least " + min + ", got " + x);
      }
      return x;
    }
  }

  /** An int of at least 0. */
  static final class Min0 extends IntAtLeast {
    Min0() {
      super(0);
    }
  }

  /** An int of at least 1. */
  static final class Min1 extends IntAtLeast {
    Min1() {
      super(1);
    }
  }

  /** An int of at least 2. */
  static final class Min2 extends IntAtLeast {
    Min2() {
      super(2);
    }
  }

  /** A finite number of at least {@code min}. */
  static class NumberAtLeast implements ITypeConverter<Double> {
    private final double min;

    NumberAtLeast(double min) {
      this.min = min;
    }

    @Override
    public Double convert(String v) {
      double x;
      try {
        x = Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("expects a number, got '" + v + "'");
      }
      if (!(x >= min) || Double.isInfinite(x)) {
        throw new TypeConversionException("must be a finite number of at least "
            + (min == -Double.MAX_VALUE ? "-" + Double.MAX_VALUE : min) + ", got " + v);
      }
      return x;
    }
  }

  /** A finite number of at least 0. */
  static final class NonNegative extends NumberAtLeast {
    NonNegative() {
      super(0);
    }
  }

  /** A finite number greater than 0. */
  static final class Positive extends NumberAtLeast {
    Positive() {
      super(Double.MIN_VALUE);
    }
  }

  /**
   * The value, which must be one of {@code allowed} (case-insensitive), lower-cased.
   *
   * @throws UsageException naming the option otherwise
   */
  static String choice(String option, String value, List<String> allowed) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (!allowed.contains(lower)) {
      throw new UsageException(option + " must be one of " + String.join(", ", allowed)
          + ", got '" + value + "'");
    }
    return lower;
  }

  // ------------------------------------------------------------------------------------ help

  /** The command's help: usage, description, and every option with its default. */
  static String help(CommandSpec spec) {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: ").append(PROGRAM).append(' ').append(spec.name()).append(' ')
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
  private static String head(OptionSpec o) {
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
  static String toolHelp(List<? extends Entry> commands) {
    StringBuilder sb = new StringBuilder();
    sb.append(PROGRAM).append(
        ": clustering by self-labeling with the collision cross-entropy (CCE) on Apache Spark\n\n");
    sb.append("usage: ").append(PROGRAM).append(" <command> [options]\n")
        .append("       ").append(PROGRAM).append(" <command> --help\n")
        .append("       ").append(PROGRAM).append(" help [<command>]\n")
        .append("       ").append(PROGRAM).append(" --version\n\n");
    List<String> heads = new ArrayList<>(commands.stream().map(Entry::name).toList());
    heads.addAll(List.of("help", HELP_FLAGS, VERSION_FLAGS));
    int column = 2 + heads.stream().mapToInt(String::length).max().orElse(0) + 3;
    sb.append("commands:\n");
    for (Entry c : commands) {
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
