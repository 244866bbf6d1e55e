package dev.ipclab.demos.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CpuTimesTest {

  @Test
  @Timeout(30)
  void aBusyLoopShowsInThisProcessAndInTheMachine() throws Exception {
    long pid = ProcessHandle.current().pid();
    List<Integer> cpus = CpuAffinity.allowed(pid);
    long machineBefore = CpuTimes.machineBusyTicks(cpus);
    long mineBefore = CpuTimes.processTicks(pid);
    long x = 1;
    // Spin for 300 ms of this thread's CPU time, not of wall time: on a loaded machine wall time is partly spent
    // waiting for a CPU, which the kernel does not count as ours.
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuEnd = threads.getCurrentThreadCpuTime() + 300_000_000L;
    long wallEnd = System.nanoTime() + 20_000_000_000L;
    while (threads.getCurrentThreadCpuTime() < cpuEnd && System.nanoTime() < wallEnd) {
      for (int i = 0; i < 10_000; i++) {
        x ^= x << 13;
        x ^= x >>> 7;
      }
    }
    long mine = CpuTimes.processTicks(pid) - mineBefore;
    long machine = CpuTimes.machineBusyTicks(cpus) - machineBefore;
    assertThat(x).isNotZero();
    // 300 ms of CPU is about 30 ticks of 10 ms; the kernel's tick sampling may miss a few.
    assertThat(mine).isBetween(15L, 2_000L);
    assertThat(machine).isGreaterThanOrEqualTo(mine / 2); // sampled and precise accounting differ a little
  }

  @Test
  void aCpuTheKernelDoesNotListIsAnError() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CpuTimes.machineBusyTicks(List.of(100_000)))
        .hasMessageContaining("cannot account");
  }

  @Test
  void aMissingProcessHasNoTicks() {
    assertThat(CpuTimes.processTicks(List.of(Long.MAX_VALUE))).isZero();
  }
}
