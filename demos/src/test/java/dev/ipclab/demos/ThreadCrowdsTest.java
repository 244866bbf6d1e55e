package dev.ipclab.demos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The heap a crowd held per thread: a positive number, or none, never a negative one. */
class ThreadCrowdsTest {

  @Test
  void aCrowdThatHeldHeapGetsItsShare() {
    assertThat(ThreadCrowds.heapPerThread(2_000_000, 1_000_000, 1_000)).hasValue(1_000.0);
  }

  @Test
  void aDifferenceAtOrBelowZeroIsNotMeasurableRatherThanNegative() {
    // Measured once for 5,000 platform threads: -505 bytes per thread, from a heap that shrank meanwhile.
    assertThat(ThreadCrowds.heapPerThread(1_000_000, 3_525_000, 5_000)).isEmpty();
    assertThat(ThreadCrowds.heapPerThread(1_000_000, 1_000_000, 5_000)).isEmpty();
    assertThat(ThreadCrowds.heapPerThread(1_000_000, 0, 0)).isEmpty();
  }
}
