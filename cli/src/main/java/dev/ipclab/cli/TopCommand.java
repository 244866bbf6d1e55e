package dev.ipclab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ipclab.parent.ParentRecord;
import dev.ipclab.parent.control.ControlClient;
import dev.ipclab.cli.top.TopFrame;
import dev.ipclab.cli.top.TopSample;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ipclab top}: a live view of a running parent and its workers, from their own counters and /proc. */
@Command(name = "top", mixinStandardHelpOptions = true,
    description = "A live view of a running ipclab parent and its workers, one row per process: CPU %%, RSS,"
        + " threads (from /proc), messages and bytes per second, requests in flight (from the workers' own"
        + " counters, asked over the protocol), state and restarts. 'q' or Ctrl-C quits.",
    footer = {"", "Without PID, the parent recorded in $TMPDIR/ipclab-parents (if there is only one).", "",
        "Examples:",
        "  ipclab top",
        "  ipclab top 4242 --interval 500ms",
        "  ipclab top 4242 --once",
        "  ipclab top 4242 --once --json"})
final class TopCommand implements Callable<Integer> {
  /** The first frame's rates need two samples; this far apart keeps them real without a long wait. */
  private static final Duration FIRST_GAP = Duration.ofMillis(700);
  private static final Duration WORKER_TIMEOUT = Duration.ofMillis(500);
  private static final String CLEAR = "\033[H\033[2J";

  @Spec
  CommandSpec spec;

  @Mixin
  LoggingOptions logging;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PID",
      description = "The parent's pid. Default: the only running recorded parent.")
  Long pid;

  @Option(names = "--once", description = "Print one frame and exit (rates over ~0.7 s).")
  boolean once;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
      description = "Time between frames. Default: ${DEFAULT-VALUE}.")
  Duration interval;

  @Option(names = "--json", description = "With --once: print the frame as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (interval.toMillis() < 100) {
      throw new ParameterException(spec.commandLine(), "--interval must be at least 100ms, got "
          + interval.toMillis() + " ms");
    }
    if (json && !once) {
      throw new ParameterException(spec.commandLine(), "--json prints one frame: use it with --once");
    }
    logging.apply();
    Long target = pid;
    if (target == null) {
      RecordedParents.Choice choice = RecordedParents.only("top");
      if (choice.pid() == null) {
        return choice.status();
      }
      target = choice.pid();
    }
    Path socket = controlSocket(target);
    PrintStream out = System.out;
    try (ControlClient client = ControlClient.connect(socket)) {
      TopSample before = TopSample.take(client, WORKER_TIMEOUT);
      if (once) {
        Thread.sleep(FIRST_GAP.toMillis());
        TopFrame frame = TopFrame.between(before, TopSample.take(client, WORKER_TIMEOUT));
        out.print(json ? mapper().writeValueAsString(frame) + System.lineSeparator() : TopText.render(frame, ""));
        out.flush();
        return 0;
      }
      boolean terminal = System.console() != null && System.console().isTerminal();
      return terminal ? interactive(client, before, out) : plain(client, before, out);
    }
  }

  /** Refreshes in place until 'q' or Ctrl-C. */
  private int interactive(ControlClient client, TopSample before, PrintStream out) throws Exception {
    try (TerminalMode keys = TerminalMode.enter()) {
      Duration wait = FIRST_GAP;
      while (true) {
        long until = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < until) {
          int key = keys.poll();
          if (key == 'q' || key == 'Q') {
            out.println();
            out.flush();
            return 0;
          }
          Thread.sleep(20); // keys feel instant at 50 Hz, and the poll costs nothing measurable
        }
        TopSample after = TopSample.take(client, WORKER_TIMEOUT);
        out.print(CLEAR + TopText.render(TopFrame.between(before, after), ", every "
            + interval.toMillis() + " ms; q quits"));
        out.flush();
        before = after;
        wait = interval;
      }
    }
  }

  /** Not a terminal: frame after frame, separated by a blank line, no escape codes, until killed. */
  private int plain(ControlClient client, TopSample before, PrintStream out) throws Exception {
    Duration wait = FIRST_GAP;
    while (true) {
      Thread.sleep(wait.toMillis());
      TopSample after = TopSample.take(client, WORKER_TIMEOUT);
      out.print(TopText.render(TopFrame.between(before, after), ""));
      out.println();
      out.flush();
      before = after;
      wait = interval;
    }
  }

  private static Path controlSocket(long pid) {
    ParentRecord.Entry entry = ParentRecord.of(pid).orElseThrow(() -> new IllegalArgumentException("pid " + pid
        + " is not a running ipclab parent with a record in " + ParentRecord.directory()
        + "; run 'ipclab top' without a PID to list the running ones"));
    String recorded = RecordedParents.json(entry).path("control_socket").asText("");
    Path socket = recorded.isEmpty() ? ParentRecord.controlSocket(pid) : Path.of(recorded);
    if (!Files.exists(socket)) {
      throw new IllegalStateException("ipclab parent " + pid + " has no control socket at " + socket
          + "; it may predate 'ipclab top' or be stopping. 'ipclab inspect " + pid + "' works without one");
    }
    return socket;
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }
}
