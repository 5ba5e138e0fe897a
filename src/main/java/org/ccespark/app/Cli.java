package org.ccespark.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import org.ccespark.app.CommandLine.UsageException;
import picocli.CommandLine.IDefaultValueProvider;
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
 * name) and the number types of {@link OptionTypes}, and shown in the layout of {@link Help}, which
 * {@link CliReference} writes to docs/cli-reference.md.
 */
final class Cli {
  private Cli() {}

  /** The program name used in help and error messages. */
  static final String PROGRAM = "cce";
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
   * A command whose {@code --config FILE} is a properties file of its own options (train-deep's),
   * read as their defaults; without it {@code --config} is the command's input (experiment's).
   */
  interface OptionsFromConfig {}

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
      return Help.help(spec());
    }

    @Override
    public List<String> optionHeads() {
      return spec().options().stream().map(Help::head).toList();
    }

    /** The command's specification: its options with their help and defaults. */
    CommandSpec spec() {
      return create(factory.get()).getCommandSpec();
    }

    @Override
    public void run(String[] args, PrintStream out) throws Exception {
      Command command = factory.get();
      picocli.CommandLine parsed = create(command);
      parse(parsed, args);
      // A command whose --config FILE holds options takes the file's values as their defaults
      // (keys are option names without the dashes, a flag's value true or false); the command
      // line wins.
      OptionSpec config = command instanceof OptionsFromConfig
          ? parsed.getCommandSpec().findOption("--config") : null;
      String file = config == null ? null : config.getValue();
      if (file != null) {
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
              + Help.didYouMean(key, names));
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

  /** A picocli command line for {@code command}, with the tool's number converters. */
  static picocli.CommandLine create(Object command) {
    picocli.CommandLine cl = new picocli.CommandLine(command);
    // set here, not by name in the annotation: under spark-submit picocli may sit in a parent
    // class loader that cannot see the application's classes
    cl.setResourceBundle(new CliTexts());
    if (command instanceof Command c) {
      c.addOptions(cl.getCommandSpec());
    }
    cl.setExpandAtFiles(false); // an argument may start with @
    cl.setOverwrittenOptionsAllowed(false);
    OptionTypes.register(cl);
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
      return "unknown option '" + name + "' for '" + command + "'" + Help.didYouMean(name, names)
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
}
