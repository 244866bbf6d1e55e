package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The restart budget: R restarts within T pass, the next one does not, and old restarts leave the window. */
class RestartIntensityTest {

  @Test
  void theRestartAfterTheBudgetIsRefusedAndListedLast() {
    RestartIntensity intensity = new RestartIntensity(3, Duration.ofMinutes(10));
    assertThat(intensity.admit("worker-1 pid 10", "exit 42")).isTrue();
    assertThat(intensity.admit("worker-2 pid 11", "exit 137")).isTrue();
    assertThat(intensity.admit("worker-1 pid 12", "exit 42")).isTrue();
    assertThat(intensity.admit("worker-1 pid 13", "hung")).isFalse();
    assertThat(intensity.recent()).extracting(RestartIntensity.Restart::worker)
        .containsExactly("worker-1 pid 10", "worker-2 pid 11", "worker-1 pid 12", "worker-1 pid 13");
  }

  @Test
  void noRestartsAllowedMeansTheFirstCrashFailsThePool() {
    assertThat(new RestartIntensity(0, Duration.ofSeconds(1)).admit("worker-1 pid 10", "exit 1")).isFalse();
  }

  @Test
  void restartsOlderThanThePeriodNoLongerCount() throws InterruptedException {
    RestartIntensity intensity = new RestartIntensity(1, Duration.ofMillis(1));
    assertThat(intensity.admit("worker-1 pid 10", "exit 42")).isTrue();
    Thread.sleep(20); // only ever longer than the period, however loaded the machine
    assertThat(intensity.admit("worker-1 pid 11", "exit 42")).isTrue();
    assertThat(intensity.recent()).hasSize(1);
  }
}
