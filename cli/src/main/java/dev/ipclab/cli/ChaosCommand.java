package dev.ipclab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ipclab.cli.chaos.ChaosRun;
import dev.ipclab.cli.chaos.ChaosSettings;
import dev.ipclab.cli.chaos.ChaosSummary;
import dev.ipclab.cli.chaos.ChaosText;
import dev.ipclab.transport.TransportKind;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ipclab chaos}: a soak test that injects real faults into a pool and checks its own invariants. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = {"Run a stream of tasks on a pool of real workers while injecting faults at seeded random times"
        + " (SIGKILL, SIGSTOP, garbage on the channel, a print to stdout, an exit mid-task, a slow reader),"
        + " then check the invariants: every task exactly one outcome, no result duplicated, no orphan, zombie,"
        + " socket or /dev/shm file left, the heap within its bound.",
        "Exit status 0 if every invariant holds, 1 if one fails, 2 on a usage error. Progress goes to stderr,"
            + " the summary to stdout."},
    footer = {"", "Examples:",
        "  ipclab chaos --duration 60s --seed 1",
        "  ipclab chaos --duration 20s --transport uds --workers 3 --json"})
final class ChaosCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  LoggingOptions logging;

  @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long to submit tasks and inject faults (500ms, 60s, 2m). Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seeds every random choice: which fault, when, on which worker. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = {"-w", "--workers"}, paramLabel = "N", defaultValue = "4",
      description = "Worker processes (2-64). Default: ${DEFAULT-VALUE}.")
  int workers;

  @Option(names = {"-t", "--transport"}, paramLabel = "KIND", defaultValue = "pipe",
      converter = PoolOptions.TransportConverter.class,
      completionCandidates = PoolOptions.TransportConverter.Names.class,
      description = "How to reach the workers: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  TransportKind transport;

  @Option(names = "--rate", paramLabel = "TASKS_PER_S", defaultValue = "50",
      description = "Tasks submitted per second, each a unique echo that sleeps 0-40 ms. Default: ${DEFAULT-VALUE}.")
  double rate;

  @Option(names = "--fault-every", paramLabel = "DURATION", defaultValue = "1500ms",
      converter = DurationConverter.class,
      description = "Mean time between faults; each gap is 0.5x to 1.5x of it. Default: ${DEFAULT-VALUE}.")
  Duration faultEvery;

  @Option(names = "--heartbeat", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
      description = "Heartbeat interval; a worker silent for 5 intervals that is stopped or makes no progress is"
          + " hung, killed and replaced."
          + " Default: ${DEFAULT-VALUE}.")
  Duration heartbeat;

  @Option(names = "--heap-bound-mb", paramLabel = "MB", defaultValue = "256",
      description = "The parent's used heap must stay within this. Default: ${DEFAULT-VALUE}.")
  long heapBoundMb;

  // Hidden: a test's way to break the heap invariant on purpose, since a real heap's peak depends on the machine.
  @Option(names = "--leak-parent-heap-mb", paramLabel = "MB", defaultValue = "0", hidden = true,
      description = "Keep this many MB reachable in the parent for the whole run, as a leak would.")
  long leakMb;

  @Option(names = "--json", description = "Print the summary as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (duration.toMillis() < 1_000) {
      throw new ParameterException(spec.commandLine(), "--duration must be at least 1s, got " + duration.toMillis()
          + " ms");
    }
    if (workers < 2 || workers > 64) {
      // One worker would leave no other to retry on while it is being replaced.
      throw new ParameterException(spec.commandLine(), "--workers must be between 2 and 64, got " + workers);
    }
    if (!(rate > 0 && rate <= 10_000)) {
      throw new ParameterException(spec.commandLine(), "--rate must be above 0 and at most 10000 tasks/s, got "
          + rate);
    }
    if (faultEvery.toMillis() < 100 || heartbeat.toMillis() < 10 || heapBoundMb < 16) {
      throw new ParameterException(spec.commandLine(), "--fault-every must be at least 100ms, --heartbeat at"
          + " least 10ms and --heap-bound-mb at least 16");
    }
    logging.apply();
    ChaosSettings settings = new ChaosSettings(duration, seed, workers, transport, rate, faultEvery, heartbeat,
        heapBoundMb * 1024 * 1024, Math.max(0, leakMb) * 1024 * 1024);
    ChaosSummary summary = new ChaosRun(settings, System.err).run();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);
      out.println(mapper.writeValueAsString(summary));
      out.flush();
    } else {
      ChaosText.print(summary, out);
    }
    return summary.pass() ? 0 : 1;
  }
}
