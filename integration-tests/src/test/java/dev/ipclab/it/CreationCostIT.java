package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.CreationCostDemo;
import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.Table;
import dev.ipclab.demos.evidence.CreationCostEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.transport.TransportKind;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The creation-cost demo: its verdict, and one live worker JVM per transport behind the numbers. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CreationCostIT {

  @Test
  void processesCostMoreThanThreadsToCreateAndToTalkTo() throws Exception {
    try (DemoContext context = DemoRuns.context(TransportKind.PIPE)) {
      DemoResult result = DemoRuns.run(new CreationCostDemo(), context);
      DemoRuns.assertHolds(result);
      for (TransportKind kind : TransportKind.values()) {
        long pid = result.pids().get("worker-1-" + kind.cliName());
        ProcStatus status = ProcStatus.read(pid).orElseThrow();
        assertThat(status.ppid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(Os.cmdline(pid)).contains("-Dipclab.transport=" + kind.cliName());
      }
      CreationCostEvidence evidence = result.evidence(CreationCostEvidence.class);
      Map<String, Double> medians = evidence.medianUs();
      assertThat(medians).hasSize(7 + 2 * TransportKind.values().length).allSatisfy((what, micros) -> assertThat(micros).as(what).isPositive());
      // A big message is copied between processes, so it costs each transport more than an empty one; between
      // threads it is a reference, and the key check holds it to a fraction of the pipe's.
      assertThat(evidence.messageBytes()).isEqualTo(1 << 20);
      for (TransportKind kind : TransportKind.values()) {
        assertThat(medians.get("process ⇄ process, 1 MiB each way (" + kind.cliName() + ")")).as(kind.cliName())
            .isGreaterThan(2 * medians.get("process ⇄ process round trip (" + kind.cliName() + ")"));
      }
      assertThat(medians).containsKey("thread ⇄ thread, 1 MiB by reference");
      // A JVM takes at least tens of milliseconds to start and answer, on any machine.
      assertThat(medians.get("worker JVM, spawn to ready")).isGreaterThan(20_000);
      // The spawn time is a median of several JVMs, not one sample per transport.
      Table key = result.tables().get(result.keyTable());
      assertThat(key.rows()).filteredOn(r -> r.get(0).equals("worker JVM, spawn to ready"))
          .singleElement().satisfies(r -> assertThat((int) r.get(2)).isGreaterThanOrEqualTo(3));
      // Thread creation is Thread.start() alone, the method of the coroutines demo's crowds.
      assertThat(medians).containsKeys("platform thread, Thread.start()", "virtual thread, Thread.start()");
      // The blocking hand-off is split into receiver-awake and receiver-asleep round trips, both measured.
      assertThat(evidence.blockingUnder10usShare()).isBetween(0.0, 1.0);
      assertThat(evidence.blockingReceiverSleepsPerRoundTrip()).isNotNegative();
      Map<String, Double> sleeps = evidence.workerSleepsPerRoundTrip();
      // Counts of context switches per trip: never negative, for processes and threads alike.
      assertThat(sleeps.values()).allSatisfy(v -> assertThat(v).isNotNegative());
      // A blocking reader on a pipe sleeps on nearly every message, and a shm reader in block mode does too.
      assertThat(sleeps.get("process ⇄ process round trip (pipe)")).isGreaterThan(0.3);
      assertThat(sleeps.get("process ⇄ process round trip (shm)")).isGreaterThan(0.3);
      // One measured CDF per round-trip row: 101 points, ascending, its 50th percentile the median above.
      Map<String, CreationCostEvidence.Cdf> cdf = evidence.rttCdfUs();
      assertThat(cdf.keySet()).contains("process ⇄ process round trip (pipe)", "thread ⇄ thread, spinning hand-off")
          .allSatisfy(what -> assertThat(medians).containsKey(what));
      cdf.forEach((what, c) -> {
        assertThat(c.percentile()).hasSize(101).startsWith(1.0).endsWith(99.9, 100.0);
        assertThat(c.latencyUs()).hasSize(101).isSorted();
        assertThat(c.latencyUs().get(49)).as(what).isEqualTo(medians.get(what));
      });
    }
  }
}
