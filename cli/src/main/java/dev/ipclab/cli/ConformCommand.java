package dev.ipclab.cli;

import dev.ipclab.cli.conform.ConformJson;
import dev.ipclab.cli.conform.ConformReport;
import dev.ipclab.cli.conform.ConformRun;
import dev.ipclab.cli.conform.ConformText;
import dev.ipclab.transport.TransportKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ipclab conform}: runs the worker contract of docs/protocol.md against any worker command. */
@Command(name = "conform", mixinStandardHelpOptions = true,
    description = {"Start COMMAND as a worker exactly as the pool would (the same IPCLAB_* environment, token and"
        + " endpoint) and check it keeps the worker contract of docs/protocol.md: hello with the token and the pid,"
        + " the frame cap, ping, an unknown task kind, many requests in flight, status, cancel, the deadline,"
        + " heartbeats, shutdown and goodbye, exit on stdin end-of-file and on the parent's SIGKILL, and nothing"
        + " on stdout but frames.",
        "Each check prints PASS, FAIL or SKIPPED, what was expected and what arrived. Exit status: 0 when no check"
            + " failed, 1 when one did, 2 for a usage error. Every wait has a deadline; a run takes about 10 s."},
    footer = {"", "Examples:",
        "  ipclab conform -- java -cp worker/target/ipclab-worker.jar dev.ipclab.worker.WorkerMain",
        "  ipclab conform --transport uds --json -- python3 examples/python-worker/worker.py"})
final class ConformCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--transport", paramLabel = "KIND", defaultValue = "pipe",
      description = "pipe (stdin/stdout), uds (a Unix socket path in IPCLAB_CONNECT) or tcp (127.0.0.1:port in"
          + " IPCLAB_CONNECT). Default: ${DEFAULT-VALUE}.")
  String transport;

  @Option(names = "--json", description = "Print the report as one JSON object instead of text.")
  boolean json;

  @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How long the worker has from its start to its Hello, as the pool's default. Default:"
          + " ${DEFAULT-VALUE}.")
  Duration handshakeTimeout;

  @Parameters(arity = "1..*", paramLabel = "COMMAND",
      description = "The worker's executable and its arguments, after --.")
  List<String> command;

  @Override
  public Integer call() throws Exception {
    TransportKind kind;
    try {
      kind = TransportKind.fromCliName(transport);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--transport must be pipe, uds or tcp, got '" + transport
          + "'");
    }
    if (kind == TransportKind.SHM) {
      throw new ParameterException(spec.commandLine(), "--transport shm is not offered to workers outside the"
          + " JVM; choose pipe, uds or tcp");
    }
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new ParameterException(spec.commandLine(), "--handshake-timeout must be positive");
    }
    // Conform's own logging stays off stdout, which carries the report.
    dev.ipclab.transport.log.ProcessLog.init("conform", java.util.logging.Level.WARNING, System.err);
    ConformReport report = new ConformRun(new ConformRun.Settings(List.copyOf(command), kind,
        handshakeTimeout.toMillis())).run();
    if (json) {
      spec.commandLine().getOut().println(ConformJson.of(report));
      spec.commandLine().getOut().flush();
    } else {
      ConformText.print(report, spec.commandLine().getOut());
    }
    return report.passed() ? 0 : 1;
  }
}
