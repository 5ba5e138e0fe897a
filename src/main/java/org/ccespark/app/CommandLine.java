package org.ccespark.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hand-written parser of {@code command --name value --flag ...} command lines that
 * {@code experiment} still uses (every other command is on picocli, {@link Cli}), the help text of
 * such a command, and {@link UsageException}. Options take the forms {@code --name value} and
 * {@code --name=value}; flags take no value. Each option may be given once. Anything not declared
 * is an error.
 */
final class CommandLine {
  private CommandLine() {}

  /** The program name used in help and error messages. */
  static final String PROGRAM = Cli.PROGRAM;

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
        sb.append(Help.wrap(paragraph, 0)).append("\n\n");
      }
      sb.append("options:\n");
      for (Option o : options) {
        String text = o.help();
        if (o.required()) {
          text += " (required)";
        } else if (o.defaultText() != null) {
          text += " [default: " + o.defaultText() + "]";
        }
        sb.append(Help.optionRow(o.name() + (o.isFlag() ? "" : " " + o.metavar()), text));
      }
      sb.append(Help.optionRow(Help.HELP_FLAGS, "print this help and exit"));
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
            + Help.didYouMean(name, command.optionNames()) + seeHelp);
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
}
