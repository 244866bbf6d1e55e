package dev.ipclab.cli.bench;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerPoolBuilder;
import dev.ipclab.cli.bench.BenchReport.Result;
import dev.ipclab.cli.bench.BenchReport.SpawnMs;
import dev.ipclab.cli.bench.BenchReport.Throughput;
import dev.ipclab.cli.bench.BenchReport.WorkerRssMb;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.SpinStats;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.HdrHistogram.Histogram;

/**
 * Runs a bench: per transport and idle mode one worker (in a pool of one) and one bare-JDK echo, and per payload
 * size their round trips, a one-way stream, CPU and RSS; then the bare-JDK buffered stream, sequential spawns
 * (workers and bare JVMs in turn), crashes, and the memory of a pool beside bare JVMs. Progress goes to
 * {@code progress} as it goes; the numbers come back as one {@link BenchReport}.
 */
public final class BenchRunner {
  private static final Duration SETTLE = Duration.ofMillis(300);
  /** Turns ipclab and the bare-JDK echo take at each row. */
  private static final int SLICES = 3;

  private final BenchSettings settings;
  private final PrintWriter progress;
  private int row;
  private final long startNanos = System.nanoTime();

  private BenchRunner(BenchSettings settings, PrintWriter progress) {
    this.settings = settings;
    this.progress = progress;
    WorkerPoolBuilder.locateWorkerJar(); // fails at once, with the command that builds it, if it is missing
  }

  public static BenchReport run(BenchSettings settings, PrintWriter progress) throws Exception {
    return new BenchRunner(settings, progress).run();
  }

  private BenchReport run() throws Exception {
    long start = System.nanoTime();
    MachineFacts machine = MachineFacts.read();
    say("ipclab bench%s: %d rows (%d transports x %d idle modes x %d payloads), then %d spawns; %s, load %.2f",
        settings.quick() ? " --quick" : "", settings.rows(), settings.transports().size(),
        settings.idles().size(), settings.payloads().size(), settings.spawns(), machine.placement(),
        machine.loadAvg1mStart());
    List<Result> results = new ArrayList<>();
    List<Double> idleRss = new ArrayList<>();
    for (TransportKind transport : settings.transports()) {
      for (IdleStrategy idle : settings.idles()) {
        results.addAll(measure(transport, idle, idleRss));
      }
    }
    Anchors.BufferedStream stream = bufferedStream();
    List<Double> bareSpawnMs = new ArrayList<>();
    SpawnMs spawn = spawns(settings.transports().get(0), bareSpawnMs);
    BenchReport.CrashToReadyMs crash = crashes(settings.transports().get(0));
    Anchors.PoolMemory memory = poolMemory(settings.transports().get(0));
    Anchors anchors = new Anchors(new Anchors.BareJvm(bareSpawnMs.size(), round1(nearestRank(bareSpawnMs, 50)),
        round1(nearestRank(bareSpawnMs, 99)), memory.bareRssMb(), memory.barePssMb(), memory.bareJvms().size()),
        shmSpinEcho(results), stream);
    double loaded = results.stream().mapToDouble(Result::workerRssMb).max().orElse(0);
    WorkerRssMb rss = new WorkerRssMb(round1(median(idleRss)), round1(loaded));
    BenchReport.PoolTasks pool = poolTasks(settings.transports().get(0));
    MachineFacts end = machine.withEndLoad();
    List<BenchReport.TargetCheck> targets = new ArrayList<>(Targets.check(results, spawn, rss, crash, anchors, end));
    targets.addAll(Targets.pool(pool));
    return new BenchReport(end, settings.quick(), results, spawn, rss, crash, anchors, memory,
        targets, round1((System.nanoTime() - start) / 1e9), pool);
  }

  /** The bare-JDK buffered one-way stream, at the targets' payload if this run has it. */
  private Anchors.BufferedStream bufferedStream() throws Exception {
    int payload = settings.payloads().contains(Targets.PAYLOAD) ? Targets.PAYLOAD : settings.payloads().get(0);
    Anchors.BufferedStream stream = BufferedStreamAnchor.measure(payload, settings.warmup().dividedBy(2),
        settings.stream());
    say("bare-JDK buffered stream (pipe, %d B): %s msg/s", payload, Targets.num(stream.msgsPerS()));
    return stream;
  }

  /** Rss and Pss per worker in a pool of {@link PoolMemory#WORKERS}, then of as many bare JVMs. */
  private Anchors.PoolMemory poolMemory(TransportKind transport) throws Exception {
    Anchors.PoolMemory memory = PoolMemory.measure(transport, SETTLE);
    say("memory, %d idle %s workers: RSS %s MB, PSS %s MB (median); %d bare JVMs: RSS %s MB, PSS %s MB",
        memory.workers().size(), transport.cliName(), Targets.num(memory.workerRssMb()),
        Targets.num(memory.workerPssMb()), memory.bareJvms().size(), Targets.num(memory.bareRssMb()),
        Targets.num(memory.barePssMb()));
    return memory;
  }

  /** The shm spin echo's round trip at the targets' payload, from its row; null if that row was not run. */
  private static Percentiles shmSpinEcho(List<Result> results) {
    return results.stream().filter(r -> r.transport().equals("shm") && r.idle().equals("spin")
        && r.payloadBytes() == Targets.PAYLOAD).map(Result::baselineRttUs).filter(java.util.Objects::nonNull)
        .findFirst().orElse(null);
  }

  /** Every payload row of one transport and idle mode, on one worker and one bare-JDK echo. */
  private List<Result> measure(TransportKind transport, IdleStrategy idle, List<Double> idleRss) throws Exception {
    List<Result> rows = new ArrayList<>();
    // The echo JVM starts while the worker JVM does: two start-ups on two cores overlap.
    CompletableFuture<BaselineEcho> echo = BaselineEcho.supports(transport, idle)
        ? CompletableFuture.supplyAsync(() -> startEcho(transport, idle),
            r -> Thread.ofPlatform().name("ipclab-bench-echo-start").daemon().start(r))
        : CompletableFuture.completedFuture(null);
    WorkerPool started;
    try {
      started = WorkerPool.builder().workers(1).transport(transport).idle(idle).start();
    } catch (IOException | InterruptedException | RuntimeException e) {
      echo.thenAccept(b -> {
        if (b != null) {
          b.close();
        }
      });
      throw e;
    }
    try (WorkerPool pool = started; BaselineEcho baseline = join(echo)) {
      PoolWorker worker = pool.workers().get(0);
      say("%s/%s: worker pid %d ready in %d ms%s", transport.cliName(), idle.cliName(), worker.pid(),
          worker.spawnToReady().toMillis(), baseline == null ? ", no bare-JDK echo for this transport and idle mode"
              : ", bare-JDK echo pid " + baseline.pid());
      Thread.sleep(SETTLE.toMillis());
      idleRss.add(rssMb(worker.pid()));
      for (int payloadBytes : settings.payloads()) {
        row++;
        byte[] bytes = new byte[payloadBytes];
        new Random(payloadBytes).nextBytes(bytes);
        ByteString payload = ByteString.copyFrom(bytes);

        // ipclab and the baseline take turns in slices, so a change in the machine's load between them does not
        // pass for a difference between them.
        CpuMeter rttCpu = new CpuMeter(worker.pid());
        CpuMeter bareCpu = baseline == null ? null : new CpuMeter(baseline.pid());
        Histogram rtt = Percentiles.newNanosHistogram();
        Histogram bare = baseline == null ? null : Percentiles.newNanosHistogram();
        Duration slice = settings.measure().dividedBy(SLICES);
        List<Long> compiling = baseline == null
            ? List.of(ProcessHandle.current().pid(), worker.pid())
            : List.of(ProcessHandle.current().pid(), worker.pid(), baseline.pid());
        BenchReport.Warmup warmup = JitWarmup.run(compiling, settings.warmup(), settings.warmupMax(),
            // ipclab's and the baseline's round trips in turn, so a change of load during the warm-up hits both.
            settings.warmup().dividedBy(4), length -> {
              RoundTripLoop.run(worker, payload, Duration.ZERO, length, () -> { });
              if (baseline != null) {
                baseline.measure(bytes, Duration.ZERO, length);
              }
            });
        say("%s/%s %d B: %s", transport.cliName(), idle.cliName(), payloadBytes, warmup.describe());
        SpinStats spinBefore = SpinStats.now();
        for (int s = 0; s < SLICES; s++) {
          rtt.add(RoundTripLoop.run(worker, payload, Duration.ZERO, slice, rttCpu::start));
          rttCpu.stop();
          if (baseline != null) {
            bareCpu.start();
            bare.add(baseline.measure(bytes, Duration.ZERO, slice));
            bareCpu.stop();
          }
        }
        if (idle == IdleStrategy.SPIN) {
          // Only ipclab's readers count here: the bare echo spins on its own, in code of its own.
          SpinStats spin = SpinStats.now().minus(spinBefore);
          say("%s/%s %d B: this process's readers spun %.1f ms of the %d ms of round trips, and paused spinning %d"
              + " times (blocking instead)", transport.cliName(), idle.cliName(), payloadBytes,
              spin.spinningNanos() / 1e6, slice.multipliedBy(SLICES).toMillis(), spin.pauses());
        }
        BenchReport.CpuPerMsg rttCpuPerMsg = rttCpu.perMessage(rtt.getTotalCount());
        BenchReport.CpuPerMsg bareCpuPerMsg = bare == null ? null : bareCpu.perMessage(bare.getTotalCount());
        Percentiles rttUs = Percentiles.of(rtt);
        Percentiles baselineUs = bare == null ? null : Percentiles.of(bare);
        Long baselineCount = bare == null ? null : bare.getTotalCount();

        OneWayStream.run(worker, payload, settings.warmup().dividedBy(2)); // JIT the one-way path first
        CpuMeter streamCpu = new CpuMeter(worker.pid());
        streamCpu.start();
        OneWayStream.Outcome stream = OneWayStream.run(worker, payload, settings.stream());
        streamCpu.stop();
        Throughput throughput = new Throughput(stream.messages(), Math.round(stream.msgsPerS()),
            round1(stream.messages() * (double) payloadBytes / stream.seconds() / 1e6),
            streamCpu.perMessage(stream.messages()));

        Result result = new Result(transport.cliName(), idle.cliName(), payloadBytes, rtt.getTotalCount(), rttUs,
            baselineUs, baselineCount, Percentiles.ratio(rttUs.p50(), baselineUs), throughput, rttCpuPerMsg,
            bareCpuPerMsg, round1(rssMb(worker.pid())), warmup);
        rows.add(result);
        say("[%2d/%d] %-4s %-5s %6d B: RTT p50 %s us p99 %s us, bare-JDK p50 %s us (%s), %s msg/s",
            row, settings.rows(), transport.cliName(), idle.cliName(), payloadBytes, Targets.num(rttUs.p50()),
            Targets.num(rttUs.p99()), baselineUs == null ? "-" : Targets.num(baselineUs.p50()),
            result.ratio() == null ? "no baseline" : result.ratio() + "x", Targets.num(throughput.msgsPerS()));
      }
    }
    return rows;
  }

  private BaselineEcho startEcho(TransportKind transport, IdleStrategy idle) {
    try {
      return BaselineEcho.start(transport, idle, settings.payloads().stream().max(Integer::compare).orElse(0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the bare-JDK echo for " + transport + "/" + idle + ": "
          + e.getMessage(), e);
    }
  }

  private static BaselineEcho join(CompletableFuture<BaselineEcho> echo) {
    try {
      return echo.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * Spawn-to-ready of {@code settings.spawns()} workers, one pool of one at a time, so none competes; each
   * followed by a bare JVM's spawn to first echo (into {@code bareMs}), so a change of load hits both alike.
   */
  private SpawnMs spawns(TransportKind transport, List<Double> bareMs) throws Exception {
    say("timing %d worker spawns (%s) and as many bare JVMs, in turn", settings.spawns(), transport.cliName());
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < settings.spawns(); i++) {
      try (WorkerPool pool = WorkerPool.builder().workers(1).transport(transport).start()) {
        ms.add(pool.workers().get(0).spawnToReady().toNanos() / 1e6);
      }
      bareMs.add(BareJvmAnchor.spawnToFirstEchoMs());
    }
    SpawnMs spawn = new SpawnMs(transport.cliName(), ms.size(), round1(nearestRank(ms, 50)),
        round1(nearestRank(ms, 99)));
    say("spawn to ready: p50 %s ms, p99 %s ms; bare JVM spawn to first echo: p50 %s ms, p99 %s ms",
        Targets.num(spawn.p50()), Targets.num(spawn.p99()), Targets.num(nearestRank(bareMs, 50)),
        Targets.num(nearestRank(bareMs, 99)));
    return spawn;
  }

  /** Kill to READY replacement, {@code settings.spawns()} SIGKILLs without a spare, then as many with one. */
  private BenchReport.CrashToReadyMs crashes(TransportKind transport) throws Exception {
    int n = settings.spawns();
    say("timing %d crashes to a READY replacement (%s), without and with a spare", n, transport.cliName());
    List<Double> without = crashToReady(transport, 0, n);
    List<Double> with = crashToReady(transport, 1, n);
    BenchReport.CrashToReadyMs crash = new BenchReport.CrashToReadyMs(transport.cliName(), n,
        round1(nearestRank(without, 50)), round1(nearestRank(without, 99)), round1(nearestRank(with, 50)),
        round1(nearestRank(with, 99)));
    say("crash to replacement READY: no spare p50 %s ms, p99 %s ms; spare p50 %s ms, p99 %s ms",
        Targets.num(crash.noSpareP50()), Targets.num(crash.noSpareP99()), Targets.num(crash.spareP50()),
        Targets.num(crash.spareP99()));
    return crash;
  }

  private static List<Double> crashToReady(TransportKind transport, int spares, int kills) throws Exception {
    java.util.concurrent.LinkedBlockingQueue<Long> restarted = new java.util.concurrent.LinkedBlockingQueue<>();
    List<Double> ms = new ArrayList<>();
    try (WorkerPool pool = WorkerPool.builder().workers(1).spares(spares).transport(transport)
        .restartBackoff(Duration.ZERO, Duration.ZERO).restartIntensity(kills + 10, Duration.ofMinutes(10))
        .listener(new dev.ipclab.parent.PoolListener() {
          @Override
          public void workerRestarted(int workerId, long oldPid, long newPid, long readyNanos) {
            restarted.add(readyNanos);
          }
        }).start()) {
      for (int i = 0; i < kills; i++) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // With a spare, each kill waits for a READY spare: the case measured is a crash the spare is there for.
        while (spares > 0 && pool.spares().stream().noneMatch(w -> w.state() == dev.ipclab.parent.WorkerState.READY)) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("no spare got ready within 60 s");
          }
          Thread.sleep(5);
        }
        long killed = System.nanoTime();
        ProcessHandle.of(pool.worker(1).pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        Long ready = restarted.poll(60, java.util.concurrent.TimeUnit.SECONDS);
        if (ready == null) {
          throw new IllegalStateException("no replacement got ready within 60 s of a SIGKILL");
        }
        ms.add((ready - killed) / 1e6);
      }
    }
    return ms;
  }

  /** The pool's tasks per second, one by one and batched, and one task's round trip against a ping's. */
  private BenchReport.PoolTasks poolTasks(TransportKind transport) throws Exception {
    say("timing the pool's tasks (%s, %d workers, %d B echoes): one by one, batched with map, and one at a time"
        + " against pings", transport.cliName(), PoolThroughput.WORKERS, PoolThroughput.PAYLOAD_BYTES);
    BenchReport.PoolTasks p = PoolThroughput.run(transport, settings.warmup(), settings.measure());
    say("pool tasks: submit %s tasks/s, map %s tasks/s (%sx); one task p50 %s us, ping p50 %s us (%sx)",
        Targets.num(p.submitTasksPerS()), Targets.num(p.mapTasksPerS()), Targets.num(p.mapVsSubmit()),
        Targets.num(p.taskRttUs().p50()), Targets.num(p.pingRttUs().p50()), Targets.num(p.taskVsPingP50()));
    return p;
  }

  /** The nearest-rank percentile: a value that was measured, never an interpolation. */
  static double nearestRank(List<Double> values, double percentile) {
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  private static double median(List<Double> values) {
    return values.isEmpty() ? 0 : nearestRank(values, 50);
  }

  private static double rssMb(long pid) {
    return ProcStatus.read(pid).map(ProcStatus::rssMib).orElse(0.0);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private void say(String format, Object... args) {
    progress.println(String.format(Locale.ROOT, "%5.1f s  ", (System.nanoTime() - startNanos) / 1e9)
        + String.format(Locale.ROOT, format, args));
    progress.flush();
  }
}
