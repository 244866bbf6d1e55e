package dev.ipclab.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.transport.IdleStrategy;
import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

/**
 * The event loop's select strategy: polls while its idle strategy says to, blocks after, and starts over on an
 * event or a task. The idle strategy is scripted here, so nothing depends on the clock.
 */
class IdleSelectStrategyTest {

  /** Says "poll again" {@code budget} times per wait, then "block"; counts the resets. */
  private static final class Scripted implements IdleStrategy {
    private final int budget;
    private int left;
    int resets;

    Scripted(int budget) {
      this.budget = budget;
      this.left = budget;
    }

    @Override
    public boolean idle() {
      return left-- > 0;
    }

    @Override
    public void reset() {
      left = budget;
      resets++;
    }

    @Override
    public IdleStrategy fresh() {
      return new Scripted(budget);
    }

    @Override
    public String cliName() {
      return "scripted";
    }
  }

  @Test
  void pollsWithoutBlockingThenBlocksOnceTheBudgetIsSpentAndStartsOverOnAnEvent() throws Exception {
    Scripted idle = new Scripted(3);
    IdleSelectStrategy strategy = new IdleSelectStrategy(idle);
    int[] ready = {0};
    for (int i = 0; i < 3; i++) {
      assertThat(strategy.calculateStrategy(() -> ready[0], false)).as("poll %d: nothing ready, poll again", i)
          .isZero();
    }
    assertThat(strategy.calculateStrategy(() -> ready[0], false)).as("budget spent")
        .isEqualTo(SelectStrategy.SELECT);

    ready[0] = 3;
    assertThat(strategy.calculateStrategy(() -> ready[0], false)).as("events are handed on").isEqualTo(3);
    assertThat(idle.resets).isEqualTo(1);
    ready[0] = 0;
    assertThat(strategy.calculateStrategy(() -> ready[0], false)).as("a fresh budget after an event").isZero();
    assertThat(strategy.calculateStrategy(() -> ready[0], true)).as("tasks waiting: never block").isZero();
    assertThat(idle.resets).isEqualTo(2);
  }
}
