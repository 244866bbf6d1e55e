package dev.ipclab.parent;

import static dev.ipclab.parent.WorkerState.CRASHED;
import static dev.ipclab.parent.WorkerState.EXITED;
import static dev.ipclab.parent.WorkerState.HUNG;
import static dev.ipclab.parent.WorkerState.READY;
import static dev.ipclab.parent.WorkerState.STARTING;
import static dev.ipclab.parent.WorkerState.STOPPING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** The worker state machine, checked against its diagram pair by pair. */
class WorkerStateTest {
  /** Every transition the Javadoc diagram draws; everything else is illegal. */
  private static final Map<WorkerState, Set<WorkerState>> LEGAL = Map.of(
      STARTING, Set.of(READY, STOPPING, CRASHED),
      READY, Set.of(HUNG, STOPPING, CRASHED),
      HUNG, Set.of(READY, STOPPING, CRASHED),
      STOPPING, Set.of(EXITED, CRASHED),
      EXITED, Set.of(),
      CRASHED, Set.of());

  @Test
  void everyPairOfStatesIsLegalExactlyWhenTheDiagramSaysSo() {
    SoftAssertions soft = new SoftAssertions();
    for (WorkerState from : WorkerState.values()) {
      for (WorkerState to : WorkerState.values()) {
        soft.assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(LEGAL.get(from).contains(to));
      }
    }
    soft.assertAll();
  }

  @Test
  void someIllegalTransitionsSpelledOut() {
    assertThat(STARTING.canMoveTo(HUNG)).as("hung before the handshake").isFalse();
    assertThat(STARTING.canMoveTo(EXITED)).as("exited without being stopped").isFalse();
    assertThat(READY.canMoveTo(EXITED)).as("exited without being stopped").isFalse();
    assertThat(STOPPING.canMoveTo(READY)).as("back to work after shutdown").isFalse();
    assertThat(READY.canMoveTo(READY)).as("no self transition").isFalse();
    assertThat(CRASHED.canMoveTo(STARTING)).as("a crashed process is not restarted in place").isFalse();
  }

  @Test
  void onlyExitedAndCrashedAreTerminalAndTheyLeadNowhere() {
    for (WorkerState s : WorkerState.values()) {
      boolean terminal = s == EXITED || s == CRASHED;
      assertThat(s.isTerminal()).as("%s terminal", s).isEqualTo(terminal);
      if (terminal) {
        for (WorkerState to : WorkerState.values()) {
          assertThat(s.canMoveTo(to)).as("%s -> %s", s, to).isFalse();
        }
      } else {
        assertThat(s.canMoveTo(CRASHED)).as("every live state can crash: %s", s).isTrue();
      }
    }
  }
}
