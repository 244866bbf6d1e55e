package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The spin-then-block select strategy: polls while its budget lasts, blocks after, and starts over on input. */
class SpinSelectStrategyTest {

  @Test
  @Timeout(10)
  void pollsWithoutBlockingThenBlocksOnceTheBudgetIsSpentAndStartsOverOnAnEvent() throws Exception {
    // Two CPUs, whatever this machine has: on one the governor never spins.
    SpinSelectStrategy strategy = new SpinSelectStrategy(new SpinBackoff(new SpinGovernor(2), System::nanoTime));
    int[] ready = {0};
    int polls = 0;
    long start = System.nanoTime();
    int result;
    while ((result = strategy.calculateStrategy(() -> ready[0], false)) != SelectStrategy.SELECT) {
      assertThat(result).as("while spinning: the number of ready events, 0").isZero();
      polls++;
    }
    long spun = System.nanoTime() - start;

    assertThat(polls).as("non-blocking polls before blocking").isPositive();
    assertThat(spun).as("ns spent before blocking").isGreaterThanOrEqualTo(SpinBackoff.YIELD_NANOS);

    ready[0] = 3;
    assertThat(strategy.calculateStrategy(() -> ready[0], false)).as("events are handed on").isEqualTo(3);
    ready[0] = 0;
    assertThat(strategy.calculateStrategy(() -> ready[0], false)).as("a fresh budget after an event").isZero();
    assertThat(strategy.calculateStrategy(() -> ready[0], true)).as("tasks waiting: never block").isZero();
  }

  @Test
  void theBudgetIsAboutAMillisecond() {
    assertThat(TimeUnit.NANOSECONDS.toMicros(SpinBackoff.SPIN_NANOS)).isEqualTo(100);
    assertThat(TimeUnit.NANOSECONDS.toMillis(SpinBackoff.YIELD_NANOS)).isEqualTo(1);
  }
}
