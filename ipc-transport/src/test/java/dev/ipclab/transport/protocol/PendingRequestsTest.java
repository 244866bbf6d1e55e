package dev.ipclab.transport.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Matching replies to requests by id, and failing them all when the channel dies. */
class PendingRequestsTest {
  private final PendingRequests<String> pending = new PendingRequests<>();

  @Test
  void idsStartAtOneAndIncrease() {
    assertThat(pending.lastId()).isZero();

    long first = pending.open().id();
    long second = pending.open().id();
    long third = pending.open().id();

    assertThat(List.of(first, second, third)).containsExactly(1L, 2L, 3L);
    assertThat(pending.lastId()).isEqualTo(3);
    assertThat(pending.inFlight()).isEqualTo(3);
  }

  @Test
  void completeDeliversTheReplyToTheMatchingRequestOnly() {
    PendingRequests.Pending<String> a = pending.open();
    PendingRequests.Pending<String> b = pending.open();

    assertThat(pending.complete(b.id(), "pong-b")).isTrue();

    assertThat(b.reply()).isCompletedWithValue("pong-b");
    assertThat(a.reply()).isNotDone();
    assertThat(pending.inFlight()).isEqualTo(1);
  }

  @Test
  void failFailsTheMatchingRequestWithTheCause() {
    PendingRequests.Pending<String> a = pending.open();
    IOException cause = new IOException("worker-1 replied with an error");

    assertThat(pending.fail(a.id(), cause)).isTrue();

    assertThat(a.reply()).isCompletedExceptionally();
    assertThat(a.reply().exceptionNow()).isSameAs(cause);
    assertThat(pending.inFlight()).isZero();
  }

  @Test
  void unknownLateOrDuplicateIdsAreRefused() {
    PendingRequests.Pending<String> a = pending.open();
    pending.complete(a.id(), "first");

    assertThat(pending.complete(a.id(), "duplicate")).as("second reply to the same id").isFalse();
    assertThat(pending.fail(a.id(), new IOException())).as("failure after the reply").isFalse();
    assertThat(pending.complete(0, "one-way")).as("id 0").isFalse();
    assertThat(pending.complete(42, "never asked")).as("id never handed out").isFalse();
    assertThat(a.reply()).isCompletedWithValue("first");
  }

  @Test
  void failAllFailsEveryRequestInFlightAndEveryLaterOne() {
    PendingRequests.Pending<String> a = pending.open();
    PendingRequests.Pending<String> b = pending.open();
    pending.complete(a.id(), "done before the channel died");
    IOException dead = new IOException("channel to worker-2 closed");

    pending.failAll(dead);
    PendingRequests.Pending<String> later = pending.open();

    assertThat(a.reply()).isCompletedWithValue("done before the channel died");
    assertThat(b.reply().exceptionNow()).isSameAs(dead);
    assertThat(later.reply().exceptionNow()).isSameAs(dead);
    assertThat(later.id()).isEqualTo(3);
    assertThat(pending.inFlight()).isZero();
    assertThat(pending.complete(later.id(), "too late")).isFalse();
  }

  @Test
  @Timeout(10)
  void noRequestOpenedDuringFailAllIsLeftHanging() throws Exception {
    for (int round = 0; round < 50; round++) {
      PendingRequests<String> requests = new PendingRequests<>();
      List<CompletableFuture<String>> replies = new CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> openers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        openers.add(Thread.ofPlatform().start(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < 200; i++) {
            replies.add(requests.open().reply());
          }
        }));
      }
      go.countDown();
      requests.failAll(new IOException("closed"));
      for (Thread t : openers) {
        t.join();
      }

      assertThat(replies).hasSize(800).allSatisfy(r -> assertThat(r).isCompletedExceptionally());
      assertThat(requests.inFlight()).isZero();
    }
  }
}
