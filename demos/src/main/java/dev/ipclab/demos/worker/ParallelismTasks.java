package dev.ipclab.demos.worker;

import dev.ipclab.demos.proto.v1.CalibrateWork;
import dev.ipclab.demos.proto.v1.CalibrationResult;
import dev.ipclab.demos.proto.v1.RunUnits;
import dev.ipclab.demos.proto.v1.UnitSpan;
import dev.ipclab.demos.proto.v1.UnitSpans;
import dev.ipclab.transport.os.LinuxThreads;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
import java.util.ArrayList;
import java.util.List;

/** Tasks of the parallelism demo: CPU-bound work units that record their span and when they ran on which CPU. */
public final class ParallelismTasks {
  /** Iterations between two sched_getcpu samples: often enough to see a migration, rare enough to cost nothing. */
  private static final long SAMPLE_EVERY = 1 << 16;

  private ParallelismTasks() {}

  public static void register(WorkerContext registry) {
    registry.register("parallelism.calibrate", TaskHandler.typed(CalibrateWork.parser(), ParallelismTasks::calibrate));
    registry.register("parallelism.run", TaskHandler.typed(RunUnits.parser(), ParallelismTasks::run));
  }

  static CalibrationResult calibrate(CalibrateWork request) {
    long target = request.getTargetMs() * 1_000_000L;
    work(5_000_000, new CpuSegments()); // let the JIT compile the loop first
    long iterations = 1_000_000;
    while (true) {
      long start = System.nanoTime();
      work(iterations, new CpuSegments());
      long took = System.nanoTime() - start;
      if (took >= target / 4) {
        long scaled = (long) (iterations * (double) target / took);
        return CalibrationResult.newBuilder().setIterations(scaled).setElapsedNanos(took * scaled / iterations)
            .build();
      }
      iterations *= 4;
    }
  }

  static UnitSpans run(RunUnits request) throws InterruptedException {
    int n = request.getUnits();
    if (n < 1 || n > 256) {
      throw new IllegalArgumentException("units must be 1..256, got " + n);
    }
    UnitSpan[] spans = new UnitSpan[n];
    if (request.getConcurrent()) {
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int unit = i;
        threads.add(Thread.ofPlatform().name("parallel-unit-" + i)
            .start(() -> spans[unit] = unit(unit, request.getIterations())));
      }
      for (Thread t : threads) {
        t.join();
      }
    } else {
      for (int i = 0; i < n; i++) {
        spans[i] = unit(i, request.getIterations());
      }
    }
    return UnitSpans.newBuilder().addAllSpans(List.of(spans)).build();
  }

  private static UnitSpan unit(int index, long iterations) {
    CpuSegments cpus = new CpuSegments();
    long start = System.nanoTime();
    long checksum = work(iterations, cpus);
    long end = System.nanoTime();
    return UnitSpan.newBuilder()
        .setUnit(index)
        .setPid(ProcessHandle.current().pid())
        .setTid(LinuxThreads.currentTid())
        .setStartNanos(start)
        .setEndNanos(end)
        .addAllCpus(cpus.cpus())
        .addAllSegments(cpus.segments())
        .setChecksum(checksum)
        .build();
  }

  /** A xorshift loop: pure CPU, no memory traffic, and a result the JIT must compute. */
  static long work(long iterations, CpuSegments cpus) {
    long x = 0x9E3779B97F4A7C15L;
    for (long i = 0; i < iterations; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      if ((i & (SAMPLE_EVERY - 1)) == 0) {
        cpus.sample(LinuxThreads.currentCpu(), System.nanoTime());
      }
    }
    // The last sample before the end: the unit was still running there until now.
    cpus.sample(LinuxThreads.currentCpu(), System.nanoTime());
    cpus.finish();
    return x;
  }
}
