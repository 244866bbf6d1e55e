package dev.ipclab.cli.chaos;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the parent's used heap (MemoryMXBean) while the run goes on, keeping the largest sample; at the end it
 * measures the heap again after a full GC, which is what the run actually retains.
 */
final class HeapSampler {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong maxUsed = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();

  /** Takes one sample; called from the run's timer. */
  void sample() {
    maxUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    samples.incrementAndGet();
  }

  long maxUsedBytes() {
    return maxUsed.get();
  }

  long samples() {
    return samples.get();
  }

  /** Used heap right after a requested full GC (twice, so finalizable garbage goes too). */
  long usedAfterGcBytes() {
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}
