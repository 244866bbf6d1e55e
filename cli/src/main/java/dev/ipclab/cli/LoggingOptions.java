package dev.ipclab.cli;

import dev.ipclab.transport.log.ProcessLog;
import java.util.logging.Level;
import picocli.CommandLine.Option;

/** How much the parent logs to stderr; stdout stays for the command's own output. */
final class LoggingOptions {
  @Option(names = {"-v", "--verbose"}, description = "Log details (FINE) and print stack traces on errors.")
  boolean verbose;

  @Option(names = {"-q", "--quiet"}, description = "Log only warnings and errors.")
  boolean quiet;

  void apply() {
    ProcessLog.init("parent", verbose ? Level.FINE : quiet ? Level.WARNING : Level.INFO, System.err);
  }
}
