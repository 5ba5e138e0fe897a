package org.ccespark.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Keeps Spark's reports of failed tasks off the terminal of the command line and in a log file,
 * which {@link Main} names in its {@code error:} line. A task that fails (a malformed LibSVM line,
 * a corrupt Parquet file, an unreadable file, a full disk) is reported by Spark's executor, task
 * scheduler and file writers with the task's whole stack trace, 36 to 400 lines, before the job
 * fails and the command can say in one line what went wrong; those reports go to the file only.
 * Once the JVM shuts down (SIGTERM, Ctrl-C) every log event goes to the file, since the jobs then
 * fail under Spark's stopping and the output folder's {@code interrupted:} line is the one to
 * read.
 *
 * <p>The file is {@code <java.io.tmpdir>/cce-spark-<date>-<time>-<pid>.log}, or the system property
 * {@value #FILE_PROPERTY}; it is created only when something is written to it. Only for the
 * command line ({@link Main#main}): in-process runs keep their logging as it is, and with
 * {@code CCE_DEBUG} set everything stays on the terminal. Needs log4j2 (Spark's logging); with
 * another logging back end it does nothing.
 */
final class TaskFailureLog {
  /** System property: the log file to use instead of one in the temporary folder. */
  static final String FILE_PROPERTY = "cce.task.log";
  /** Loggers whose reports are about failed tasks (with their stack traces) or jobs they failed. */
  private static final List<String> TASK_LOGGERS = List.of(
      "org.apache.spark.executor.Executor",
      "org.apache.spark.sql.execution.datasources.FileFormatWriter",
      "org.apache.spark.internal.io.SparkHadoopWriter");
  /**
   * Loggers of which only some reports are about failed tasks, by the pattern of those messages;
   * their other reports (such as the scheduler's "task of very large size") stay on the terminal.
   */
  private static final Map<String, Pattern> TASK_MESSAGES = Map.of(
      "org.apache.spark.scheduler.TaskSetManager",
      Pattern.compile("(Lost task |Task .* aborting job).*", Pattern.DOTALL),
      "org.apache.spark.util.Utils", Pattern.compile("Aborting task.*", Pattern.DOTALL));
  private static final String APPENDER = "cce-task-failures";
  /** Hadoop shutdown-hook priority: before Spark's hooks, which stop the running jobs. */
  private static final int SHUTDOWN_PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 40;

  private static boolean wanted;
  private static Path file;
  private static Runnable shutdownHook;

  private TaskFailureLog() {}

  /** Asks for the routing, done by {@link #install()} once Spark has set up its logging. */
  static synchronized void enable() {
    String debug = System.getenv("CCE_DEBUG");
    wanted = debug == null || debug.isEmpty();
  }

  /**
   * Routes the task-failure loggers to the file, if {@link #enable()} asked for it and not done
   * yet. Called once the Spark session exists: Spark may replace a default logging configuration
   * when it starts, which would undo the routing.
   */
  static synchronized void install() {
    if (!wanted || file != null
        || !(LogManager.getContext(false) instanceof LoggerContext context)) {
      return;
    }
    Path target = Path.of(System.getProperty(FILE_PROPERTY, Path.of(
        System.getProperty("java.io.tmpdir"), "cce-spark-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
            + ProcessHandle.current().pid() + ".log").toString())).toAbsolutePath();
    Configuration config = context.getConfiguration();
    Appender appender = FileAppender.newBuilder().setName(APPENDER)
        .withFileName(target.toString()).withAppend(true).withCreateOnDemand(true)
        .setLayout(PatternLayout.newBuilder().withConfiguration(config)
            .withPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %p %c{1} [%t]: %m%n").build())
        .setConfiguration(config).build();
    appender.start();
    config.addAppender(appender);
    for (String name : TASK_LOGGERS) {
      LoggerConfig logger = replace(config, name);
      logger.addAppender(appender, null, null);
    }
    TASK_MESSAGES.forEach((name, messages) -> {
      List<Appender> before = inherited(config.getLoggerConfig(name));
      LoggerConfig logger = replace(config, name);
      logger.addAppender(appender, null,
          new Matching(messages, Filter.Result.NEUTRAL, Filter.Result.DENY));
      for (Appender a : before) {
        logger.addAppender(a, null, new Matching(messages, Filter.Result.DENY,
            Filter.Result.NEUTRAL));
      }
    });
    context.updateLoggers();
    file = target;
    shutdownHook = () -> everythingToTheFile(context, appender);
    ShutdownHookManager.get().addShutdownHook(shutdownHook, SHUTDOWN_PRIORITY);
  }

  /**
   * Ends the routing of every event at shutdown: for a run that ended by itself, whose last
   * words (Spark stopping) may go to the terminal as usual.
   */
  static synchronized void finish() {
    if (shutdownHook != null && !ShutdownHookManager.get().isShutdownInProgress()) {
      ShutdownHookManager.get().removeShutdownHook(shutdownHook);
      shutdownHook = null;
    }
  }

  /**
   * The log file, if anything was written to it.
   *
   * @return the file, or null if there is none or it is empty
   */
  static synchronized Path written() {
    try {
      return file != null && Files.isRegularFile(file) && Files.size(file) > 0 ? file : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * A logger of its own for {@code name}, at the level it had, with no appender and not passing
   * its events to its parents.
   */
  private static LoggerConfig replace(Configuration config, String name) {
    LoggerConfig before = config.getLoggerConfig(name);
    if (before.getName().equals(name)) {
      config.removeLogger(name);
    }
    LoggerConfig logger = LoggerConfig.newBuilder().withLoggerName(name)
        .withLevel(before.getLevel()).withAdditivity(false).withConfig(config).build();
    config.addLogger(name, logger);
    return logger;
  }

  /** The appenders an event of {@code logger} reaches: its own and its additive parents'. */
  private static List<Appender> inherited(LoggerConfig logger) {
    List<Appender> out = new ArrayList<>();
    for (LoggerConfig l = logger; l != null; l = l.isAdditive() ? l.getParent() : null) {
      out.addAll(l.getAppenders().values());
    }
    return out;
  }

  /** The shutdown hook: every logger's events to the file only from now on. */
  private static void everythingToTheFile(LoggerContext context, Appender appender) {
    Configuration config = context.getConfiguration();
    List<LoggerConfig> loggers = new ArrayList<>(config.getLoggers().values());
    loggers.add(config.getRootLogger());
    for (LoggerConfig logger : loggers) {
      for (Map.Entry<String, Appender> a : Map.copyOf(logger.getAppenders()).entrySet()) {
        if (a.getValue() != appender) {
          logger.removeAppender(a.getKey());
        }
      }
    }
    if (!config.getRootLogger().getAppenders().containsKey(APPENDER)) {
      config.getRootLogger().addAppender(appender, null, null);
    }
    context.updateLoggers();
  }

  /** Decides by whether an event's message matches a pattern. */
  private static final class Matching extends AbstractFilter {
    private final Pattern messages;

    Matching(Pattern messages, Result onMatch, Result onMismatch) {
      super(onMatch, onMismatch);
      this.messages = messages;
      start();
    }

    @Override
    public Result filter(LogEvent event) {
      String message = event.getMessage() == null ? null
          : event.getMessage().getFormattedMessage();
      return message != null && messages.matcher(message).matches() ? onMatch : onMismatch;
    }
  }
}
