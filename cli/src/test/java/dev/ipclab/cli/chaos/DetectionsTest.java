package dev.ipclab.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.transport.TransportKind;
import org.junit.jupiter.api.Test;

/** Which faults must be detected, and how detection is timed from the fault to the pool's report. */
class DetectionsTest {

  @Test
  void aFaultIsDetectedByTheFirstReportOfItsPidAfterIt() {
    Detections detections = new Detections();
    InjectedFault fault = new InjectedFault(1_000_000_000L, 500, FaultKind.SIGKILL, 2, 4242, "kill -KILL 4242");
    detections.down(4242, 900_000_000L); // an earlier death of that pid is not this fault's
    detections.down(7, 1_010_000_000L); // another pid
    assertThat(detections.afterMillis(fault)).isNull();
    detections.down(4242, 1_012_345_678L);
    assertThat(detections.afterMillis(fault)).isEqualTo(12.35);
  }

  @Test
  void theMedianOfAKindIsATimeTheRunSaw() {
    assertThat(Detections.medians(java.util.Map.of(
        "sigkill", java.util.List.of(30.0, 10.0, 20.0),
        "exit", java.util.List.of(40.0, 10.0, 30.0, 20.0))))
        .containsEntry("sigkill", 20.0)
        .containsEntry("exit", 20.0);
  }

  @Test
  void stdoutTakesAWorkerDownOnlyOnPipes() {
    assertThat(FaultKind.STDOUT.takesWorkerDown(TransportKind.PIPE)).isTrue();
    assertThat(FaultKind.STDOUT.takesWorkerDown(TransportKind.UDS)).isFalse();
    assertThat(FaultKind.STDOUT.takesWorkerDown(TransportKind.TCP)).isFalse();
    assertThat(FaultKind.STDOUT.takesWorkerDown(TransportKind.SHM)).as("a doorbell: its bytes are ignored").isFalse();
    assertThat(FaultKind.SLOW_READER.takesWorkerDown(TransportKind.PIPE)).isFalse();
    assertThat(FaultKind.GARBAGE.takesWorkerDown(TransportKind.TCP)).isTrue();
    assertThat(FaultKind.SIGSTOP.timed()).isTrue();
    assertThat(FaultKind.GARBAGE.timed()).isFalse();
  }
}
