package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Await throws a failed future's ipclab exception itself, however the future got it. */
class AwaitTest {

  @Test
  void theLibrarysExceptionComesOutAsItIsEvenThroughADependentFuture() {
    TaskFailedException failure = new TaskFailedException("task 1 (echo) failed: its deadline of 5 ms passed", 1,
        null);
    CompletableFuture<String> direct = CompletableFuture.failedFuture(failure);
    assertThatThrownBy(() -> Await.result(direct)).isSameAs(failure);
    // thenApply stores a CompletionException around it; the caller still sees the TaskFailedException.
    assertThatThrownBy(() -> Await.result(direct.thenApply(String::length))).isSameAs(failure);
    assertThat(failure).isInstanceOf(IpclabException.class);
  }

  @Test
  void aCancelIsTheCancellationThatCancelledIt() {
    CompletableFuture<String> cancelled = new CompletableFuture<>();
    CancellationException why = new CancellationException("task 3 on worker-1: the test cancels it");
    cancelled.completeExceptionally(why);
    assertThatThrownBy(() -> Await.result(cancelled)).isSameAs(why);
  }

  @Test
  void aCheckedFailureComesOutAsAnIpclabExceptionWithItAsTheCause() throws Exception {
    IOException io = new IOException("disk full");
    assertThatThrownBy(() -> Await.result(CompletableFuture.failedFuture(io)))
        .isExactlyInstanceOf(IpclabException.class).hasMessage("disk full").hasCause(io);
    assertThat(Await.result(CompletableFuture.completedFuture("ok"))).isEqualTo("ok");
  }

  @Test
  void everyPoolFailureIsAnIpclabException() {
    assertThat(new PoolFailedException("gave up")).isInstanceOf(IpclabException.class);
    assertThat(new PoolSaturatedException("full")).isInstanceOf(IpclabException.class);
    assertThat(new WorkerFailedException("gone")).isInstanceOf(IpclabException.class);
    assertThat(new RemoteErrorException("worker-1", dev.ipclab.proto.v1.ErrorCode.ERROR_CODE_TASK_FAILED, "boom"))
        .isInstanceOf(IpclabException.class);
    assertThat(new RequestTimeoutException("late", null)).isInstanceOf(IpclabException.class);
  }
}
