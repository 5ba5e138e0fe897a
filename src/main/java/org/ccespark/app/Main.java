package org.ccespark.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.spark.SparkBuildInfo;
import org.apache.spark.SparkException;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.SettingException;
import org.ccespark.output.OutputDir;

/**
 * The main class for {@code spark-submit} and {@code submit/cce}: {@code cluster}, {@code demo},
 * {@code bench}, {@code experiment}, {@code convert}, {@code extract}, {@code train-deep} and
 * {@code help}, and {@code --version}. Run {@code cce --help} for the options.
 *
 * <p>The Spark session is {@code SparkSession.builder().getOrCreate()}: the master and every other
 * setting come from the launcher ({@code spark-submit --master ...} or {@code -Dspark.master=...}),
 * and an existing session is reused, which is how tests call {@link #run(String[], PrintStream,
 * PrintStream)} in-process. Every failure is reported as one line {@code error: ...} on the error
 * stream, with a non-zero exit status. On the command line ({@link #main}) Spark's reports of
 * failed tasks, stack traces and all, go to a log file instead of the terminal, and the line names
 * it ({@link TaskFailureLog}).
 */
public final class Main {
  /** Exit status of a successful run. */
  public static final int OK = 0;
  /** Exit status when the run failed: bad input, existing output, Spark error. */
  public static final int FAILED = 1;
  /** Exit status for a command line that cannot be accepted. */
  public static final int USAGE = 2;

  /** The class-path resource, relative to this class, that holds the project's version. */
  static final String VERSION_RESOURCE = "version.properties";

  /**
   * Every command, in the order the help lists them, each on picocli ({@link Cli.Picocli}).
   */
  static final List<Cli.Entry> COMMANDS = List.of(new Cli.Picocli(ClusterCommand::new),
      new Cli.Picocli(DemoCommand::new), new Cli.Picocli(BenchCommand::new),
      new Cli.Picocli(ExperimentCommand::new),
      new Cli.Picocli(ConvertCommand::new), new Cli.Picocli(ExtractCommand::new),
      new Cli.Picocli(TrainDeepCommand::new));
  /** The message of {@code ENOSPC}, as the JVM and Hadoop report it. */
  private static final String NO_SPACE = "No space left on device";

  private Main() {}

  /**
   * Runs the command line, stops the Spark session if one was started, and exits with the status.
   *
   * @param args the command line, e.g. {@code cluster --input x.csv --k 10 --output out}
   */
  public static void main(String[] args) {
    TaskFailureLog.enable();
    int status = run(args, System.out, System.err);
    TaskFailureLog.finish();
    if (SparkSession.getDefaultSession().isDefined()) {
      SparkSession.getDefaultSession().get().stop();
    }
    System.exit(status);
  }

  /**
   * Runs the command line in this JVM without exiting, printing to the given streams. Reuses an
   * active or default Spark session, and leaves any session it used running.
   *
   * @param args the command line
   * @param out where results and progress go
   * @param err where the {@code error: ...} line goes
   * @return {@link #OK}, {@link #FAILED} or {@link #USAGE}
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return dispatch(args, out);
    } catch (UsageException | SettingException e) {
      err.println("error: " + oneLine(e.getMessage()));
      return USAGE;
    } catch (Exception | OutOfMemoryError | StackOverflowError | LinkageError | FSError e) {
      if (ShutdownHookManager.get().isShutdownInProgress()) {
        // SIGTERM or Ctrl-C: Spark was stopped under the running job, whose failure says nothing
        // to the user; the output folder's shutdown hook prints the one 'interrupted:' line
        return FAILED;
      }
      String message = describe(e);
      Path log = TaskFailureLog.written();
      err.println("error: " + message + (log == null ? ""
          : (message.endsWith(".") ? " " : ". ") + "Spark's report of the failed tasks: " + log));
      if (System.getenv("CCE_DEBUG") != null && !System.getenv("CCE_DEBUG").isEmpty()) {
        e.printStackTrace(err);
      }
      return FAILED;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static int dispatch(String[] args, PrintStream out) throws Exception {
    if (args.length == 0) {
      throw new UsageException("no command given (commands: " + commandNames() + "; see '"
          + CommandLine.PROGRAM + " --help')");
    }
    String name = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (name.equals("--version") || name.equals("-V")) {
      if (rest.length > 0) {
        throw new UsageException(name + " takes no arguments");
      }
      out.print(versions());
      return OK;
    }
    if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
      if (rest.length == 0) {
        out.print(Help.toolHelp(COMMANDS));
      } else if (rest.length == 1) {
        out.print(command(rest[0]).help());
      } else {
        throw new UsageException("help takes at most one command name");
      }
      return OK;
    }
    Cli.Entry command = command(name);
    if (CommandLine.wantsHelp(rest)) {
      out.print(command.help());
      return OK;
    }
    command.run(rest, out);
    return OK;
  }

  private static Cli.Entry command(String name) {
    for (Cli.Entry c : COMMANDS) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    List<String> known = new ArrayList<>(COMMANDS.stream().map(Cli.Entry::name).toList());
    known.addAll(List.of("help", "--help", "--version"));
    throw new UsageException("unknown command '" + name + "'"
        + Help.didYouMean(name, known) + " (commands: " + commandNames() + "; see '"
        + CommandLine.PROGRAM + " --help')");
  }

  /**
   * What {@code cce --version} prints: the version of cce-spark (from the POM, filtered into
   * {@value #VERSION_RESOURCE} at build time, else the jar manifest's
   * {@code Implementation-Version}), then the versions of Spark and Scala on the class path and of
   * the Java runtime, one per line.
   */
  static String versions() {
    return CommandLine.PROGRAM + " (cce-spark) " + projectVersion() + "\n"
        + "Spark " + SparkBuildInfo.spark_version() + ", Scala "
        + scala.util.Properties.versionNumberString() + "\n"
        + "Java " + System.getProperty("java.runtime.version", System.getProperty("java.version"))
        + " (" + System.getProperty("java.vendor", "unknown vendor") + ")\n";
  }

  /** The project version the build wrote into {@value #VERSION_RESOURCE}, or "unknown". */
  static String projectVersion() {
    Properties p = new Properties();
    try (InputStream in = Main.class.getResourceAsStream(VERSION_RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to the manifest
    }
    String v = p.getProperty("version");
    if (v == null || v.isBlank() || v.startsWith("${")) {
      v = Main.class.getPackage().getImplementationVersion();
    }
    return v == null ? "unknown" : v;
  }

  private static String commandNames() {
    return String.join(", ", COMMANDS.stream().map(Cli.Entry::name).toList());
  }

  /**
   * The Spark session: an existing one, or a new one configured by the launcher (system properties
   * {@code spark.*}, as set by {@code spark-submit} or {@code -D}). Named {@code cce-spark} unless
   * the launcher names it.
   */
  static SparkSession session() {
    SparkSession.Builder builder = SparkSession.builder();
    boolean existing = SparkSession.getActiveSession().isDefined()
        || SparkSession.getDefaultSession().isDefined();
    if (!existing && System.getProperty("spark.app.name") == null) {
      builder.appName("cce-spark");
    }
    try {
      SparkSession session = builder.getOrCreate();
      TaskFailureLog.install();
      return session;
    } catch (RuntimeException e) {
      String message = String.valueOf(describe(e));
      if (message.contains("master URL must be set")) {
        throw new IllegalStateException("No Spark master is configured: run through submit/cce"
            + " (local Spark) or spark-submit --master ..., or pass -Dspark.master=local[*].", e);
      }
      throw e;
    }
  }

  /**
   * The message that explains a failure: the first exception in the cause chain that is not a
   * wrapper (Spark job failures, reflection and concurrency wrappers), on one line.
   */
  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && isWrapper(t)) {
      t = t.getCause();
    }
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      message = t.getClass().getSimpleName();
    } else if (t instanceof UncheckedIOException && t.getCause() != null
        && t.getCause().getMessage() != null) {
      message = message + ": " + t.getCause().getMessage();
    }
    if (t instanceof OutOfMemoryError) {
      message = "out of memory (" + message + "); raise CCE_DRIVER_MEMORY or Spark's memory settings";
    }
    return oneLine(withWriteFailure(e, message));
  }

  /**
   * A message that names the cause of a failed write (a full disk: "No space left on device", or
   * any write error of Hadoop's local file system, {@link FSError}) and, where Spark's writer names
   * it, the file; {@code message} as it is for other failures. A file in an output's temporary
   * folder is reported with the output it belongs to.
   */
  private static String withWriteFailure(Throwable e, String message) {
    Throwable failure = null;
    String path = null;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (path == null && t instanceof SparkThrowable s && s.getMessageParameters() != null) {
        path = s.getMessageParameters().get("path");
      }
      if (failure == null && (t instanceof FSError
          || (t.getMessage() != null && t.getMessage().contains(NO_SPACE)))) {
        failure = t;
      }
    }
    if (failure == null) {
      return message;
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = oneLine(root.getMessage() == null ? root.getClass().getSimpleName()
        : root.getMessage());
    if (path != null) {
      String output = OutputDir.outputOf(path);
      return reason + " while writing " + (output == null ? path
          : "output " + output + " (file " + path + " of its temporary folder, now removed)");
    }
    return oneLine(message).contains(reason) ? message : oneLine(message) + ": " + reason;
  }

  private static boolean isWrapper(Throwable t) {
    return t instanceof SparkException
        || t instanceof FSError // Hadoop's local file system: the IOException of a failed write
        || t instanceof InvocationTargetException
        || t instanceof ExecutionException
        || t instanceof CompletionException
        || (t.getClass() == RuntimeException.class && t.getCause() != null
            && t.getMessage() != null && t.getMessage().equals(t.getCause().toString()));
  }

  /** The first non-blank line of a message, trimmed. */
  static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    for (String line : message.split("\\R")) {
      if (!line.isBlank()) {
        return line.trim();
      }
    }
    return "unknown error";
  }
}
