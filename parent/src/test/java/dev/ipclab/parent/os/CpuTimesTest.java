package dev.ipclab.parent.os;

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
    long end = System.nanoTime() + 300_000_000L;
    while (System.nanoTime() < end) {
      x ^= x << 13;
      x ^= x >>> 7;
    }
    long mine = CpuTimes.processTicks(pid) - mineBefore;
    long machine = CpuTimes.machineBusyTicks(cpus) - machineBefore;
    assertThat(x).isNotZero();
    // 300 ms of spinning is about 30 ticks; allow for a busy machine stealing part of it.
    assertThat(mine).isBetween(10L, 200L);
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
