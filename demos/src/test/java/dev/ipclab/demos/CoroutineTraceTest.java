package dev.ipclab.demos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.proto.v1.GeneratorAction;
import dev.ipclab.demos.proto.v1.GeneratorEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The readings of interleaving and generator traces. */
class CoroutineTraceTest {

  @Test
  void roundRobinHasNoRepeats() {
    assertThat(CoroutineTrace.repeatsWhileOthersRunnable(List.of("A", "B", "C", "A", "B", "C"))).isZero();
  }

  @Test
  void runningToTheEndCountsEveryStepAfterTheFirstWhileOthersWait() {
    // A's 2 repeats happen while B and C wait; B's 2 while C waits; C is alone at the end, so its repeats are free.
    assertThat(CoroutineTrace.repeatsWhileOthersRunnable(List.of("A", "A", "A", "B", "B", "B", "C", "C", "C")))
        .isEqualTo(4);
  }

  @Test
  void theLastCoroutineMayRunAloneWithoutCounting() {
    assertThat(CoroutineTrace.repeatsWhileOthersRunnable(List.of("A", "B", "A", "B", "B", "B"))).isEqualTo(0);
  }

  @Test
  void lazyGeneratorOrderIsAskMakeGetPerValue() {
    List<GeneratorEvent> lazy = List.of(event(GeneratorAction.GENERATOR_ACTION_ASK, 1, 0),
        event(GeneratorAction.GENERATOR_ACTION_PRODUCE, 1, 1), event(GeneratorAction.GENERATOR_ACTION_RECEIVE, 1, 1),
        event(GeneratorAction.GENERATOR_ACTION_ASK, 2, 0), event(GeneratorAction.GENERATOR_ACTION_PRODUCE, 2, 1),
        event(GeneratorAction.GENERATOR_ACTION_RECEIVE, 2, 1));
    assertThat(CoroutineTrace.outOfOrder(lazy)).isZero();
    assertThat(CoroutineTrace.describe(lazy)).isEqualTo("ask#1 → make 1 → got 1 · ask#2 → make 1 → got 1");
  }

  @Test
  void eagerProducerIsOutOfOrder() {
    // The producer computes value 2 before it is asked for.
    List<GeneratorEvent> eager = List.of(event(GeneratorAction.GENERATOR_ACTION_ASK, 1, 0),
        event(GeneratorAction.GENERATOR_ACTION_PRODUCE, 1, 1), event(GeneratorAction.GENERATOR_ACTION_PRODUCE, 2, 1),
        event(GeneratorAction.GENERATOR_ACTION_RECEIVE, 1, 1), event(GeneratorAction.GENERATOR_ACTION_ASK, 2, 0),
        event(GeneratorAction.GENERATOR_ACTION_RECEIVE, 2, 1));
    assertThat(CoroutineTrace.outOfOrder(eager)).isPositive();
  }

  @Test
  void fibonacciStartsOneOne() {
    assertThat(CoroutineTrace.fibonacci(6)).containsExactly(1L, 1L, 2L, 3L, 5L, 8L);
  }

  private static GeneratorEvent event(GeneratorAction action, int index, long value) {
    return GeneratorEvent.newBuilder().setAction(action).setIndex(index).setValue(value).build();
  }
}
