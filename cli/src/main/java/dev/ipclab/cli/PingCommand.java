package dev.ipclab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.ByteString;
import dev.ipclab.parent.Await;
import dev.ipclab.parent.IpclabException;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.proto.v1.Pong;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.time.Duration;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ipclab ping}: measures round trips to real workers, one request in flight at a time. */
@Command(name = "ping", mixinStandardHelpOptions = true,
    description = "Start workers and measure ping/pong round trips over the chosen transport, round-robin over"
        + " the workers, one request in flight at a time. Every pong's payload is checked against the ping's.",
    footer = {"", "Examples:",
        "  ipclab ping --workers 2 --transport pipe --count 10000 --json",
        "  ipclab ping --transport uds --payload 4096"})
final class PingCommand implements Callable<Integer> {
  private static final long TIMEOUT_SECONDS = 10;

  @Spec
  CommandSpec spec;

  @Mixin
  PoolOptions pool;

  @Mixin
  LoggingOptions logging;

  @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "10000",
      description = "Round trips to measure. Default: ${DEFAULT-VALUE}.")
  long count;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "2000",
      description = "Round trips to run first, unmeasured, so the JIT has compiled the path. Default: ${DEFAULT-VALUE}.")
  long warmup;

  @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "100",
      description = "Payload bytes per ping, echoed back. Default: ${DEFAULT-VALUE}.")
  int payloadBytes;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (count < 1 || warmup < 0 || payloadBytes < 0) {
      throw new ParameterException(spec.commandLine(),
          "--count must be at least 1, --warmup and --payload at least 0");
    }
    if (payloadBytes > pool.maxFrameBytes - 64) {
      throw new ParameterException(spec.commandLine(), "--payload " + payloadBytes + " does not fit in a frame of"
          + " --max-frame-bytes " + pool.maxFrameBytes + " (64 bytes go to the envelope); raise --max-frame-bytes"
          + " or send less");
    }
    logging.apply();
    byte[] bytes = new byte[payloadBytes];
    new Random(42).nextBytes(bytes);
    ByteString payload = ByteString.copyFrom(bytes);

    PingReport report;
    try (WorkerPool workers = pool.builder().start()) {
      List<PoolWorker> list = workers.workers();
      for (long i = 0; i < warmup; i++) {
        roundTrip(list.get((int) (i % list.size())), payload);
      }
      Histogram all = LatencySummary.newNanosHistogram();
      List<Histogram> each = new ArrayList<>();
      list.forEach(w -> each.add(LatencySummary.newNanosHistogram()));
      long start = System.nanoTime();
      for (long i = 0; i < count; i++) {
        int index = (int) (i % list.size());
        long rtt = roundTrip(list.get(index), payload);
        all.recordValue(Math.max(100, rtt));
        each.get(index).recordValue(Math.max(100, rtt));
      }
      long elapsed = System.nanoTime() - start;
      List<PingReport.WorkerResult> results = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        PoolWorker w = list.get(i);
        long ppid = ProcStatus.read(w.pid()).map(ProcStatus::ppid).orElse(w.hello().getPpid());
        results.add(new PingReport.WorkerResult(w.id(), w.pid(), ppid, round1(w.spawnToReady().toNanos() / 1e6),
            each.get(i).getTotalCount(), LatencySummary.of(each.get(i))));
      }
      report = new PingReport(ProcessHandle.current().pid(), workers.transport().cliName(), workers.endpoint(),
          results, count, warmup, payloadBytes, round1(elapsed / 1e6), Math.round(count / (elapsed / 1e9)),
          LatencySummary.of(all));
    }
    print(report);
    return 0;
  }

  /** One ping, in nanoseconds; fails if the pong does not carry the payload back intact. */
  private static long roundTrip(PoolWorker worker, ByteString payload) throws Exception {
    long t0 = System.nanoTime();
    Pong pong;
    try {
      pong = Await.result(worker.ping(payload, Duration.ofSeconds(TIMEOUT_SECONDS)));
    } catch (IpclabException | IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException("ping to " + worker + " failed: " + e.getMessage(), e);
    }
    long rtt = System.nanoTime() - t0;
    if (!pong.getPayload().equals(payload)) {
      throw new IllegalStateException(worker.name() + " echoed " + pong.getPayload().size()
          + " bytes that differ from the " + payload.size() + " bytes sent");
    }
    return rtt;
  }

  private void print(PingReport report) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);
      out.println(mapper.writeValueAsString(report));
      out.flush();
      return;
    }
    out.printf(Locale.ROOT, "%d round trips of %d payload bytes over %s (%s), after %d warm-up; parent pid %d%n",
        report.roundTrips(), report.payloadBytes(), report.transport(), report.endpoint(),
        report.warmupRoundTrips(), report.parentPid());
    String format = "%-9s %8s %8s %9s %8s %8s %8s %8s %9s%n";
    out.printf(Locale.ROOT, format, "WORKER", "PID", "PPID", "READY ms", "p50 us", "p90 us", "p99 us",
        "p99.9 us", "max us");
    for (PingReport.WorkerResult w : report.workers()) {
      out.printf(Locale.ROOT, format, "worker-" + w.id(), w.pid(), w.ppid(), fmt(w.spawnToReadyMs()),
          fmt(w.rttUs().p50()), fmt(w.rttUs().p90()), fmt(w.rttUs().p99()), fmt(w.rttUs().p999()),
          fmt(w.rttUs().max()));
    }
    LatencySummary t = report.rttUs();
    out.printf(Locale.ROOT, format, "all", "", "", "", fmt(t.p50()), fmt(t.p90()), fmt(t.p99()), fmt(t.p999()),
        fmt(t.max()));
    out.printf(Locale.ROOT, "%.0f round trips/s, one in flight at a time%n", report.roundTripsPerS());
    out.flush();
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
