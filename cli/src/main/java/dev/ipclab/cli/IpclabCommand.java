package dev.ipclab.cli;

import dev.ipclab.transport.log.ProcessLog;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code ipclab} command line: the entry point of the parent JVM. */
@Command(
    name = "ipclab",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A multi-process IPC toolkit for the JVM: a parent supervising worker JVMs over pipes, TCP and"
        + " Unix sockets.",
    subcommands = {DemoCommand.class, RunCommand.class, PingCommand.class, BenchCommand.class, ChaosCommand.class,
        InspectCommand.class,
        TopCommand.class,
        ConformCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Examples:",
        "  ipclab run --workers 3 --transport uds",
        "  ipclab ping --workers 2 --transport pipe --count 10000 --json",
        "  ipclab chaos --duration 60s --seed 1   (inject faults into a pool; exit 0 if every invariant holds)",
        "  ipclab inspect --tree          (the running parent; scripts/ipclab-stop PID stops it)",
        "  ipclab top                     (live CPU, memory and traffic of the running parent; q quits)",
        "  ipclab conform -- python3 worker.py   (check any worker command against the protocol contract)"})
public final class IpclabCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: choose one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  public static void main(String[] args) {
    ProcessLog.useShutdownSafeManager(); // before any logger exists
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests run it in-process. */
  public static CommandLine commandLine() {
    return new CommandLine(new IpclabCommand())
        .setExecutionExceptionHandler(IpclabCommand::onFailure)
        .setParameterExceptionHandler(IpclabCommand::onBadUsage);
  }

  /**
   * A usage error: the message, "did you mean" suggestions, the synopsis and where to find more, on stderr with
   * status 2; the full help would bury the one line that matters.
   */
  private static int onBadUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("ipclab: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.print(cmd.getHelp().fullSynopsis());
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** A failure while running: one clear line on stderr, the stack trace only with --verbose. */
  private static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    err.println("ipclab " + cmd.getCommandName() + ": error: " + describe(e));
    if (parsed.hasMatchedOption("--verbose")) {
      e.printStackTrace(err);
    } else {
      err.println("(run again with --verbose for the stack trace)");
    }
    err.flush();
    return 1;
  }

  private static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.ExecutionException
        || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
