package org.ccespark.app;

/**
 * What every command shares before picocli parses its options ({@link Cli}): the program's name,
 * {@link UsageException} (exit code 2) and whether the arguments ask for help.
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

  /** Whether the arguments ask for help ({@code -h} or {@code --help} anywhere). */
  static boolean wantsHelp(String[] args) {
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help")) {
        return true;
      }
    }
    return false;
  }
}
