package dev.ipclab.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the parent's log lines at WARNING and above for a test to assert on: what the user would read. */
final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
    setLevel(Level.WARNING);
    logger.addHandler(this);
  }

  /** Captures everything logged under {@code dev.ipclab} (the parent's classes log there). */
  static LogCapture parent() {
    Pools.initLogging(); // its reset would otherwise remove this handler when the first pool is built
    return new LogCapture(Logger.getLogger("dev.ipclab"));
  }

  @Override
  public void publish(LogRecord record) {
    if (isLoggable(record)) {
      String message = record.getMessage();
      Object[] params = record.getParameters();
      lines.add(params == null || params.length == 0 ? message
          : java.text.MessageFormat.format(message, params));
    }
  }

  /** The warnings so far that contain every one of {@code fragments}. */
  List<String> matching(String... fragments) {
    return lines.stream().filter(l -> java.util.Arrays.stream(fragments).allMatch(l::contains)).toList();
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
