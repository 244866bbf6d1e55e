package dev.ipclab.demos.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuAffinityTest {

  @Test
  void parsesRangesAndSingles() {
    assertThat(CpuAffinity.parseList("0-3,6,8-9")).containsExactly(0, 1, 2, 3, 6, 8, 9);
    assertThat(CpuAffinity.parseList("1")).containsExactly(1);
  }

  @Test
  void formatsForTaskset() {
    assertThat(CpuAffinity.format(List.of(0, 2))).isEqualTo("0,2");
    assertThat(CpuAffinity.command(42, List.of(0))).isEqualTo("taskset -a -p -c 0 42");
  }

  @Test
  void readsThisProcess() throws Exception {
    List<Integer> mine = CpuAffinity.allowed(ProcessHandle.current().pid());
    assertThat(mine).isNotEmpty().hasSizeGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void rejectsGarbage() {
    assertThatThrownBy(() -> CpuAffinity.parseList("zero")).isInstanceOf(NumberFormatException.class);
  }
}
