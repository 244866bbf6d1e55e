package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The adaptive spin decision, fed with made-up clock readings: no timing is measured here. */
class SpinGovernorTest {
  private static final long MS = 1_000_000;

  @Test
  void aSingleCpuNeverSpins() {
    SpinGovernor governor = new SpinGovernor(1);
    assertThat(governor.maySpin(0)).isFalse();
  }

  @Test
  void repliesInsideTheSpinPhaseKeepItSpinning() {
    SpinGovernor governor = new SpinGovernor(2);
    for (int i = 0; i < 10 * SpinGovernor.WINDOW; i++) {
      assertThat(governor.maySpin(i)).isTrue();
      governor.waitEnded(false, i);
    }
    assertThat(governor.pauses()).isZero();
  }

  @Test
  void lateRepliesPauseSpinningThenItIsRetried() {
    SpinGovernor governor = new SpinGovernor(2);
    lateWaits(governor, SpinGovernor.MAX_LATE, 0);
    assertThat(governor.pauses()).isEqualTo(1);
    assertThat(governor.maySpin(SpinGovernor.FIRST_PAUSE_NANOS - 1)).isFalse();
    assertThat(governor.maySpin(SpinGovernor.FIRST_PAUSE_NANOS)).isTrue();
  }

  @Test
  void aFewLateRepliesInAWindowDoNotPause() {
    SpinGovernor governor = new SpinGovernor(2);
    for (int i = 0; i < SpinGovernor.WINDOW; i++) {
      governor.waitEnded(i < SpinGovernor.MAX_LATE - 1, i);
    }
    lateWaits(governor, SpinGovernor.MAX_LATE - 1, SpinGovernor.WINDOW);
    assertThat(governor.pauses()).isZero();
    assertThat(governor.maySpin(100)).isTrue();
  }

  @Test
  void eachFailedRetryDoublesThePauseUpToTheCap() {
    SpinGovernor governor = new SpinGovernor(2);
    long now = 0;
    long expected = SpinGovernor.FIRST_PAUSE_NANOS;
    for (int retry = 0; retry < 12; retry++) {
      lateWaits(governor, SpinGovernor.MAX_LATE, now);
      assertThat(governor.maySpin(now + expected - 1)).as("retry %d", retry).isFalse();
      assertThat(governor.maySpin(now + expected)).as("retry %d", retry).isTrue();
      now += expected;
      expected = Math.min(expected * 2, SpinGovernor.MAX_PAUSE_NANOS);
    }
    assertThat(expected).isEqualTo(SpinGovernor.MAX_PAUSE_NANOS);
  }

  @Test
  void aGoodWindowAfterARetryMakesTheNextPauseShortAgain() {
    SpinGovernor governor = new SpinGovernor(2);
    lateWaits(governor, SpinGovernor.MAX_LATE, 0);
    lateWaits(governor, SpinGovernor.MAX_LATE, 10 * MS); // the retry failed: the next pause is 20 ms
    long now = 30 * MS;
    assertThat(governor.maySpin(now)).isTrue();
    for (int i = 0; i < SpinGovernor.WINDOW; i++) {
      governor.waitEnded(false, now);
    }
    lateWaits(governor, SpinGovernor.MAX_LATE, now);
    assertThat(governor.maySpin(now + SpinGovernor.FIRST_PAUSE_NANOS)).isTrue();
  }

  @Test
  void theBackoffJudgesAWaitByThePhaseItEndedIn() {
    long[] now = {0};
    SpinGovernor governor = new SpinGovernor(2);
    SpinningIdleStrategy backoff = new SpinningIdleStrategy(governor, () -> now[0]);
    for (int i = 0; i < SpinGovernor.MAX_LATE; i++) {
      backoff.reset();
      assertThat(backoff.idle()).isTrue(); // spinning
      now[0] += SpinningIdleStrategy.SPIN_NANOS;
      assertThat(backoff.idle()).isTrue(); // yielding: the reply is late
      backoff.reset(); // the reply arrives
      now[0] += 1_000;
    }
    assertThat(backoff.pauses()).isEqualTo(1);
    assertThat(backoff.idle()).as("paused: block at once").isFalse();
    assertThat(backoff.spinNanos()).isEqualTo(SpinGovernor.MAX_LATE * SpinningIdleStrategy.SPIN_NANOS);
  }

  @Test
  void aWaitThatRanOutTheBudgetIsAnIdleChannelNotALateReply() {
    long[] now = {0};
    SpinningIdleStrategy backoff = new SpinningIdleStrategy(new SpinGovernor(2), () -> now[0]);
    for (int i = 0; i < 4 * SpinGovernor.MAX_LATE; i++) {
      backoff.reset();
      assertThat(backoff.idle()).isTrue();
      now[0] += SpinningIdleStrategy.YIELD_NANOS;
      assertThat(backoff.idle()).isFalse(); // blocks in the kernel until the next frame
      now[0] += 1_000 * 1_000_000L;
    }
    backoff.reset();
    assertThat(backoff.pauses()).isZero();
    assertThat(backoff.idle()).isTrue();
  }

  private static void lateWaits(SpinGovernor governor, int count, long now) {
    for (int i = 0; i < count; i++) {
      governor.waitEnded(true, now);
    }
  }
}
