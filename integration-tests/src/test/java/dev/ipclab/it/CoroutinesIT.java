package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.CoroutinesDemo;
import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.evidence.CoroutinesEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The coroutines demo, on the pipe transport only: the transport just carries a few task requests, and everything
 * measured happens inside one worker; a run starts 105,000 threads in ~8 s, so repeating it per transport would
 * add time and no information.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CoroutinesIT {

  @Test
  void virtualThreadsShareOneCarrierAndCostLittle() throws Exception {
    var shmBefore = ThreadStatesIT.shm();
    long workerPid;
    try (DemoContext context = DemoRuns.context(TransportKind.PIPE)) {
      DemoResult result = DemoRuns.run(new CoroutinesDemo(), context);
      DemoRuns.assertHolds(result);

      long worker = result.pids().get("worker-1");
      workerPid = worker;
      assertThat(ProcStatus.read(worker).orElseThrow().ppid()).isEqualTo(ProcessHandle.current().pid());
      assertThat(Os.cmdline(worker)).contains("-Djdk.virtualThreadScheduler.parallelism=1",
          "-Djdk.virtualThreadScheduler.maxPoolSize=1");
      CoroutinesEvidence evidence = result.evidence(CoroutinesEvidence.class);
      List<Long> carriers = evidence.carrierTids();
      assertThat(carriers).hasSize(1);
      Path carrier = Path.of("/proc", Long.toString(worker), "task", Long.toString(carriers.get(0)));
      assertThat(Files.readString(carrier.resolve("comm")).trim()).startsWith("ForkJoinPool");
      assertThat(Files.readAllLines(carrier.resolve("status"))).contains("Tgid:\t" + worker);
      // Round robin, within the demo's own tolerance (at most one step twice in a row), each coroutine in order.
      List<String> steps = List.of(evidence.sequence().split(" "));
      assertThat(steps).hasSize(20).containsExactlyInAnyOrder(
          "A1", "B1", "C1", "D1", "A2", "B2", "C2", "D2", "A3", "B3", "C3", "D3", "A4", "B4", "C4", "D4",
          "A5", "B5", "C5", "D5");
      for (String name : List.of("A", "B", "C", "D")) {
        assertThat(steps.stream().filter(x -> x.startsWith(name)).toList())
            .containsExactly(name + "1", name + "2", name + "3", name + "4", name + "5");
      }
      assertThat(evidence.repeatsWhileOthersRunnable()).isLessThanOrEqualTo(1);
      assertThat(evidence.generator().received()).isEqualTo(List.of(1L, 1L, 2L, 3L, 5L, 8L, 13L, 21L, 34L, 55L));

      // A warm switch is what a yield costs; the traced steps are further apart (trace entry, gettid, cold code).
      assertThat(evidence.warmSwitchUs()).isPositive().isLessThan(evidence.tracedStepGapUs());
      // A switch stays in user space: the carrier slept a few times over thousands of switches, between runs.
      assertThat(evidence.timedSwitches()).isPositive();
      assertThat(evidence.carrierSleeps()).isBetween(0L, evidence.timedSwitches() / 100);
      // No negative heap per thread: a positive number, or null when not measurable.
      for (CoroutinesEvidence.Crowd crowd : List.of(evidence.virtual(), evidence.platform())) {
        if (crowd.heapBytesPerThread() != null) {
          assertThat(crowd.heapBytesPerThread()).as(crowd.toString()).isPositive();
        }
      }
      int platform = evidence.platform().asleep();
      assertThat(platform).isPositive();
      assertThat(evidence.platform().kernelThreads()).isGreaterThan(platform);
      assertThat(evidence.virtual().kernelThreads()).isLessThan(100);
      // Every crowd was joined: the platform threads are gone from the kernel's count again.
      assertThat(Os.within(5_000, () -> ProcStatus.read(worker).orElseThrow().threads() < 100)).isTrue();
    }
    assertThat(ThreadStatesIT.newShmFiles(shmBefore, workerPid)).as("/dev/shm files this run left behind").isEmpty();
  }
}
