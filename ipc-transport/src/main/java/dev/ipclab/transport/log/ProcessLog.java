package dev.ipclab.transport.log;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Sets up java.util.logging so that every line names the process it comes from ({@code worker-3 pid 4242}) and
 * goes to stderr, never stdout, which may carry protocol bytes.
 */
public final class ProcessLog {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  /** The system property that selects the LogManager; read once, when the first logger is created. */
  public static final String MANAGER_PROPERTY = "java.util.logging.manager";

  /** The LogManager that keeps logging through JVM shutdown. */
  public static final String SHUTDOWN_SAFE_MANAGER = "dev.ipclab.transport.log.ShutdownSafeLogManager";

  private ProcessLog() {}

  /**
   * Selects {@link ShutdownSafeLogManager} unless a manager was chosen on the command line. Call it first thing in
   * main. The name is a string on purpose: touching the class would initialize LogManager, too early.
   */
  public static void useShutdownSafeManager() {
    if (System.getProperty(MANAGER_PROPERTY) == null) {
      System.setProperty(MANAGER_PROPERTY, SHUTDOWN_SAFE_MANAGER);
    }
  }

  /**
   * Routes all logging to {@code stderr} with one line per record.
   *
   * @param processName e.g. {@code parent} or {@code worker-3}; the pid is added
   * @param level the lowest level that is printed
   */
  public static void init(String processName, Level level, PrintStream stderr) {
    String who = processName + " pid " + ProcessHandle.current().pid();
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler handler = new StreamHandler(stderr, new LineFormatter(who)) {
      @Override
      public synchronized void publish(LogRecord record) {
        super.publish(record);
        flush(); // a line that sits in a buffer is no help to someone watching a crash
      }
    };
    handler.setLevel(level);
    root.addHandler(handler);
    root.setLevel(level);
    // Netty is chatty at FINE; keep it at INFO unless asked for.
    netty = Logger.getLogger("io.netty");
    netty.setLevel(level.intValue() < Level.INFO.intValue() ? level : Level.INFO);
  }

  /**
   * A strong reference: java.util.logging holds loggers weakly, and a collected one would lose its level. Not
   * set at class initialization, which would create the LogManager before {@link #useShutdownSafeManager}.
   */
  private static Logger netty;

  /** Formats {@code 13:25:31.123 INFO  [worker-3 pid 4242] WorkerMain: message}. */
  static final class LineFormatter extends Formatter {
    private final String who;

    LineFormatter(String who) {
      this.who = who;
    }

    @Override
    public String format(LogRecord r) {
      String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
      String shortName = logger.substring(logger.lastIndexOf('.') + 1);
      StringBuilder line = new StringBuilder(128)
          .append(LocalTime.now().format(TIME)).append(' ')
          .append(String.format("%-7s", r.getLevel().getName()))
          .append('[').append(who).append("] ")
          .append(shortName).append(": ")
          .append(formatMessage(r))
          .append(System.lineSeparator());
      if (r.getThrown() != null) {
        java.io.StringWriter trace = new java.io.StringWriter();
        r.getThrown().printStackTrace(new java.io.PrintWriter(trace));
        line.append(trace);
      }
      return line.toString();
    }
  }
}
