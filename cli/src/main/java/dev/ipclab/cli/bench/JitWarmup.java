package dev.ipclab.cli.bench;

import dev.ipclab.demos.os.TaskSched;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Warm-up that lasts until the JIT compilers of the measured processes have gone quiet, not for a fixed time.
 *
 * <p>Why: a profile of a pinned run ({@code perf record} of the parent and the worker, {@code taskset -c 0}) showed
 * the parent's C2 compiler thread taking half of the one CPU through the first seconds of round trips, after a
 * fixed one-second warm-up: the round trips measured then paid for compilations, not for IPC. Compiler time is
 * read from the kernel ({@code /proc/<pid>/task/<tid>/schedstat} of the threads named {@code C1/C2 CompilerThre}).
 */
final class JitWarmup {
  /** Quiet: the compilers used less than this share of a chunk's wall time. */
  private static final double QUIET_SHARE = 0.02;
  /** Quiet chunks in a row that end the warm-up. */
  private static final int QUIET_CHUNKS = 2;

  /** One stretch of warm-up work. */
  interface Chunk {
    void run(Duration length) throws Exception;
  }

  private JitWarmup() {}

  /**
   * Runs {@code chunk} for at least {@code min}, then until the compilers of {@code pids} have been quiet for
   * {@link #QUIET_CHUNKS} chunks in a row, or until {@code max}.
   */
  static BenchReport.Warmup run(List<Long> pids, Duration min, Duration max, Duration chunkLength, Chunk chunk)
      throws Exception {
    long start = System.nanoTime();
    Map<String, Long> seen = new HashMap<>();
    long firstCompilerNanos = compilerNanos(pids, seen);
    long compilerNanos = firstCompilerNanos;
    int quietChunks = 0;
    while (true) {
      long chunkStart = System.nanoTime();
      chunk.run(chunkLength);
      long now = System.nanoTime();
      long compilerNow = compilerNanos(pids, seen);
      boolean quiet = compilerNow - compilerNanos < QUIET_SHARE * (now - chunkStart);
      compilerNanos = compilerNow;
      quietChunks = quiet ? quietChunks + 1 : 0;
      Duration took = Duration.ofNanos(now - start);
      boolean settled = quietChunks >= QUIET_CHUNKS;
      if ((settled && took.compareTo(min) >= 0) || took.compareTo(max) >= 0) {
        return new BenchReport.Warmup(Math.round(took.toMillis() / 100.0) / 10.0, settled,
            (compilerNow - firstCompilerNanos) / 1_000_000);
      }
    }
  }

  /**
   * CPU time so far of the JIT compiler threads of {@code pids}, in ns. HotSpot stops idle compiler threads, so the
   * time of each thread ever seen is kept in {@code seen}: the sum never goes back when one exits.
   */
  static long compilerNanos(List<Long> pids, Map<String, Long> seen) {
    for (long pid : pids) {
      try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : tasks.toList()) {
          long tid = Long.parseLong(task.getFileName().toString());
          if (isCompiler(pid, tid)) {
            TaskSched.read(pid, tid).ifPresent(t -> seen.merge(pid + "/" + tid, t.onCpuNanos(), Math::max));
          }
        }
      } catch (IOException e) {
        // the process is gone: it compiles nothing more
      }
    }
    return seen.values().stream().mapToLong(Long::longValue).sum();
  }

  private static boolean isCompiler(long pid, long tid) {
    try {
      // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1"...; the kernel keeps 15 characters.
      String comm = Files.readString(TaskSched.taskFile(pid, tid, "comm")).strip();
      return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
    } catch (IOException e) {
      return false;
    }
  }
}
