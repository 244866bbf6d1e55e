package dev.ipclab.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The slow reader's pause: requested by a task thread, taken once by the reading thread. */
@Timeout(30)
class ReadPauseTest {

  @Test
  void noRequestMeansNoPause() {
    assertThat(new ReadPause().honour()).isZero();
  }

  @Test
  void requestsMergeIntoTheLongestAndAreTakenOnce() {
    ReadPause pause = new ReadPause();
    pause.request(20);
    pause.request(50);
    pause.request(10);
    assertThat(pause.pendingMillis()).isEqualTo(50);
    long start = System.nanoTime();
    assertThat(pause.honour()).isEqualTo(50);
    assertThat(System.nanoTime() - start).as("slept at least the pause").isGreaterThanOrEqualTo(50_000_000L);
    assertThat(pause.pendingMillis()).isZero();
    assertThat(pause.honour()).isZero();
  }

  @Test
  void aNegativePauseIsRefused() {
    assertThatThrownBy(() -> new ReadPause().request(-1)).hasMessageContaining("-1");
  }
}
