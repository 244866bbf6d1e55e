package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The two idle strategies as a pool and the command line see them, and what a reading thread gets from them. */
class IdleStrategyTest {

  @Test
  void namesRoundTripAndUnknownNamesAreRefused() {
    assertThat(IdleStrategy.values()).containsExactly(IdleStrategy.BLOCK, IdleStrategy.SPIN);
    for (IdleStrategy s : IdleStrategy.values()) {
      assertThat(IdleStrategy.fromCliName(s.cliName().toUpperCase(java.util.Locale.ROOT))).isSameAs(s);
      assertThat(s).hasToString(s.cliName());
    }
    assertThat(IdleStrategy.BLOCK.cliName()).isEqualTo("block");
    assertThat(IdleStrategy.SPIN.cliName()).isEqualTo("spin");
    assertThatThrownBy(() -> IdleStrategy.fromCliName("busy")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected block or spin");
  }

  @Test
  void blockNeverPollsAndSharesItsStatelessInstance() {
    IdleStrategy block = IdleStrategy.BLOCK.fresh();
    assertThat(block).isSameAs(IdleStrategy.BLOCK);
    assertThat(block.polls()).isFalse();
    assertThat(block.idle()).as("block at once").isFalse();
    assertThat(block.idle(0)).isFalse();
    assertThat(block.idle(1)).as("work found: poll again").isTrue();
  }

  @Test
  void eachSpinningThreadGetsAStateOfItsOwn() {
    IdleStrategy a = IdleStrategy.SPIN.fresh();
    IdleStrategy b = IdleStrategy.SPIN.fresh();
    assertThat(a).isNotSameAs(b).isNotSameAs(IdleStrategy.SPIN).isInstanceOf(SpinningIdleStrategy.class);
    assertThat(a.polls()).isTrue();
    assertThat(a.cliName()).isEqualTo("spin");
  }

  @Test
  void workFoundResetsTheSpinBudget() {
    long[] now = {0};
    SpinningIdleStrategy spin = new SpinningIdleStrategy(new SpinGovernor(2), () -> now[0]);
    assertThat(spin.idle(0)).as("spinning").isTrue();
    now[0] += SpinningIdleStrategy.YIELD_NANOS;
    assertThat(spin.idle(0)).as("budget spent: block").isFalse();
    assertThat(spin.idle(0)).as("stays blocking until input").isFalse();
    assertThat(spin.idle(1)).isTrue();
    assertThat(spin.idle(0)).as("a fresh budget after input").isTrue();
  }

  @Test
  void theSpinBudgetIsAboutAMillisecond() {
    assertThat(TimeUnit.NANOSECONDS.toMicros(SpinningIdleStrategy.SPIN_NANOS)).isEqualTo(100);
    assertThat(TimeUnit.NANOSECONDS.toMillis(SpinningIdleStrategy.YIELD_NANOS)).isEqualTo(1);
  }
}
