package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.ParallelismDemo;
import dev.ipclab.demos.Verdict;
import dev.ipclab.demos.evidence.ParallelismEvidence;
import dev.ipclab.demos.os.CpuAffinity;
import dev.ipclab.transport.TransportKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The parallelism demo: its verdict, the CPUs the units ran on, and the workers' affinity restored afterwards. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParallelismIT {

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void pinnedProcessesInterleaveAndFreeOnesRunInParallel(TransportKind transport) throws Exception {
    List<Integer> cpus = CpuAffinity.allowed(ProcessHandle.current().pid());
    try (DemoContext context = DemoRuns.context(transport)) {
      DemoResult result = DemoRuns.run(new ParallelismDemo(), context);
      if (cpus.size() < 2) {
        assertThat(result.verdict().outcome()).isEqualTo(Verdict.Outcome.NOT_APPLICABLE);
        return;
      }
      ParallelismEvidence evidence = result.evidence(ParallelismEvidence.class);
      double busy = evidence.otherProcessesCpuShare();
      if (result.verdict().outcome() == Verdict.Outcome.NOT_APPLICABLE) {
        // Only a measured busy machine may excuse the demo, never a quiet one.
        assertThat(busy).isGreaterThan(ParallelismDemo.BUSY_SHARE);
        return;
      }
      DemoRuns.assertHolds(result);
      List<ParallelismEvidence.Unit> units = evidence.units();
      assertThat(units).hasSize(16);
      List<Long> workerPids = result.pids().entrySet().stream().filter(e -> e.getKey().startsWith("worker"))
          .map(Map.Entry::getValue).toList();
      assertThat(workerPids).hasSize(4);
      for (ParallelismEvidence.Unit unit : units) {
        String mode = unit.mode();
        long pid = unit.pid();
        assertThat(workerPids).contains(pid);
        if (mode.contains("processes")) {
          // one unit per process
          assertThat(units.stream().filter(u -> u.mode().equals(mode) && u.pid() == pid)).hasSize(1);
        }
        if (mode.contains("on CPU")) {
          assertThat(unit.cpus()).isEqualTo(List.of(cpus.getFirst()));
        }
      }
      for (long pid : workerPids) {
        assertThat(CpuAffinity.allowed(pid)).as("affinity of worker %d after the demo", pid).isEqualTo(cpus);
      }
    }
  }
}
