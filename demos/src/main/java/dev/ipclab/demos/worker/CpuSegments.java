package dev.ipclab.demos.worker;

import dev.ipclab.demos.proto.v1.CpuSegment;
import java.util.ArrayList;
import java.util.List;

/** The CPUs one thread was sampled on, as time segments: a new one at each change of CPU or gap in the samples. */
final class CpuSegments {
  /** An interval this many times the shortest one means the thread was off the CPU for part of it. */
  private static final long GAP_FACTOR = 8;
  private final List<CpuSegment> segments = new ArrayList<>();
  private final List<Integer> cpus = new ArrayList<>();
  private int cpu = -1;
  private long start;
  private long last;
  private long shortest = Long.MAX_VALUE;

  /** Records that the thread was on {@code now} at System.nanoTime() {@code at}; cheap unless something changed. */
  void sample(int now, long at) {
    if (cpu < 0) {
      open(now, at);
      return;
    }
    long interval = at - last;
    // Samples come every fixed number of loop iterations, so a long interval is time spent off the CPU.
    boolean gap = shortest != Long.MAX_VALUE && interval > GAP_FACTOR * shortest;
    shortest = Math.min(shortest, Math.max(1, interval));
    if (now != cpu || gap) {
      close();
      open(now, at);
    } else {
      last = at;
    }
  }

  /** Closes the open segment; call once, after the last sample. */
  void finish() {
    if (cpu >= 0) {
      close();
      cpu = -1;
    }
  }

  List<CpuSegment> segments() {
    return segments;
  }

  /** The distinct CPUs, in order of first sight. */
  List<Integer> cpus() {
    return cpus;
  }

  private void open(int now, long at) {
    cpu = now;
    start = at;
    last = at;
    if (!cpus.contains(now)) {
      cpus.add(now);
    }
  }

  private void close() {
    segments.add(CpuSegment.newBuilder().setCpu(cpu).setStartNanos(start).setEndNanos(last).build());
  }
}
