package dev.ipclab.cli;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.Await;
import dev.ipclab.parent.ExitDescription;
import dev.ipclab.parent.IpclabException;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipclab run}: starts workers, shows them as the OS sees them, and keeps them answering until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Start worker JVMs, print one row per process (role, id, PID, PPID, transport, threads, RSS),"
        + " and keep them up, answering pings, until Ctrl-C or --duration.",
    footer = {"", "Examples:",
        "  ipclab run --workers 3 --transport uds",
        "  ipclab run --workers 2 --transport tcp --duration 30s"})
final class RunCommand implements Callable<Integer> {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Spec
  CommandSpec spec;

  @Mixin
  PoolOptions pool;

  @Mixin
  LoggingOptions logging;

  @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Stop by itself after this long (e.g. 30s, 5m). Default: run until Ctrl-C.")
  Duration duration;

  @Option(names = "--status-every", paramLabel = "DURATION", defaultValue = "5s",
      converter = DurationConverter.class,
      description = "How often to ping every worker and print a status line. Default: ${DEFAULT-VALUE}.")
  Duration statusEvery;

  @Override
  public Integer call() throws Exception {
    if (statusEvery.toMillis() < 1 || (duration != null && duration.toMillis() < 1)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--status-every and --duration must be at least 1 ms");
    }
    logging.apply();
    PrintWriter out = spec.commandLine().getOut();
    try (StopSignal signal = new StopSignal(Duration.ofSeconds(30));
        WorkerPool workers = pool.builder().start()) {
      out.print(ProcessTable.render(ProcessTable.rows(workers)));
      out.println();
      out.print(ProcessTable.hints(workers));
      out.println();
      out.println(duration == null ? "Running; press Ctrl-C to stop." : "Running for " + duration.toMillis()
          + " ms; press Ctrl-C to stop sooner.");
      out.flush();
      long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
      while (!signal.requested() && System.nanoTime() < end) {
        Duration wait = Duration.ofNanos(Math.min(statusEvery.toNanos(), end - System.nanoTime()));
        if (signal.await(wait)) {
          break;
        }
        out.println(status(workers));
        out.flush();
      }
      out.println(signal.requested() ? "Stopping on signal..." : "Duration reached; stopping...");
      out.flush();
      workers.close();
      for (PoolWorker w : workers.workers()) {
        ExitDescription exit = w.exit().getNow(null);
        out.println("  " + w.name() + " pid " + w.pid() + ": " + w.state() + ", "
            + (exit != null ? exit.summary() : "exit not seen"));
      }
      out.flush();
      return workers.workers().stream().allMatch(w -> w.state() == WorkerState.EXITED) ? 0 : 1;
    }
  }

  /** Pings every ready worker once and reports its state and round trip. */
  private static String status(WorkerPool pool) {
    StringJoiner line = new StringJoiner("  |  ", LocalTime.now().format(CLOCK) + "  ", "");
    for (PoolWorker w : pool.workers()) {
      String detail;
      if (w.state() == WorkerState.READY) {
        try {
          long t0 = System.nanoTime();
          Await.result(w.ping(ByteString.EMPTY, Duration.ofSeconds(2)));
          detail = String.format(Locale.ROOT, "rtt %.0f us", (System.nanoTime() - t0) / 1000.0);
        } catch (IpclabException | IllegalArgumentException | IllegalStateException e) {
          detail = "ping failed: " + e.getMessage();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          detail = "interrupted";
        }
      } else {
        detail = "";
      }
      line.add(w.name() + " " + w.state() + (detail.isEmpty() ? "" : " " + detail));
    }
    return line.toString();
  }
}
