package dev.ipclab.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.parent.WorkerState;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a fault may go in: never into the last serving worker, nor while most of the pool is being replaced. */
class FaultInjectorTest {

  @Test
  void aFaultNeedsTwoReadyWorkersAndHalfTheSlots() {
    assertThat(FaultInjector.enoughReady(2, 2)).isTrue();
    assertThat(FaultInjector.enoughReady(1, 2)).as("the last serving worker of two").isFalse();
    assertThat(FaultInjector.enoughReady(2, 4)).isTrue();
    assertThat(FaultInjector.enoughReady(1, 4)).isFalse();
    assertThat(FaultInjector.enoughReady(3, 8)).as("most of the pool is being replaced").isFalse();
    assertThat(FaultInjector.enoughReady(4, 8)).isTrue();
    assertThat(FaultInjector.enoughReady(0, 4)).isFalse();
  }

  @Test
  void aWorkerAlreadyTakenDownGetsNoSecondFaultWhileThePoolStillCallsItReady() {
    assertThat(FaultInjector.eligible(WorkerState.READY, 4242, Set.of())).isTrue();
    assertThat(FaultInjector.eligible(WorkerState.READY, 4242, Set.of(4242L))).as("stopped, not yet hung").isFalse();
    assertThat(FaultInjector.eligible(WorkerState.STARTING, 4243, Set.of(4242L))).isFalse();
  }
}
