package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A task's defaults and the checks that catch a bad spec at submit, not in the worker. */
class TaskSpecTest {

  @Test
  void ofIsRetryableWithAThirtySecondDeadline() {
    TaskSpec spec = TaskSpec.of("echo", ByteString.copyFromUtf8("x"));
    assertThat(spec.retryable()).isTrue();
    assertThat(spec.deadline()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.notRetryable().retryable()).isFalse();
    assertThat(spec.withDeadline(Duration.ofMillis(5)).deadline()).isEqualTo(Duration.ofMillis(5));
    assertThat(spec.notRetryable().withDeadline(Duration.ofMillis(5)).retryable()).isFalse();
  }

  @Test
  void aBlankKindOrANonPositiveDeadlineIsRefused() {
    assertThatThrownBy(() -> TaskSpec.of(" ", ByteString.EMPTY)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a kind");
    assertThatThrownBy(() -> TaskSpec.of("echo", ByteString.EMPTY).withDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive, got 0 ms");
  }
}
