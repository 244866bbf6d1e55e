package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One timer for a burst's deadlines: each unanswered task is overdue at its own time, an answered one never. */
@Timeout(30)
class BurstDeadlinesTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void eachUnansweredTaskIsOverdueNoSoonerThanItsOwnDeadlineAndAnAnsweredOneNever() throws Exception {
    Map<Long, Long> reported = new ConcurrentHashMap<>();
    CountDownLatch two = new CountDownLatch(2);
    BurstDeadlines<Long> deadlines = new BurstDeadlines<>(timer, (id, ms) -> {
      assertThat(reported.put(id, System.nanoTime())).as("task " + id + " reported once").isNull();
      two.countDown();
    });
    CompletableFuture<Object> early = new CompletableFuture<>();
    CompletableFuture<Object> answered = new CompletableFuture<>();
    CompletableFuture<Object> late = new CompletableFuture<>();
    long start = System.nanoTime();
    deadlines.add(1L, early, TimeUnit.MILLISECONDS.toNanos(20));
    deadlines.add(2L, answered, TimeUnit.MILLISECONDS.toNanos(20));
    deadlines.add(3L, late, TimeUnit.MILLISECONDS.toNanos(200));
    deadlines.start();
    answered.complete("its result");

    assertThat(two.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(reported).containsOnlyKeys(1L, 3L);
    assertThat(reported.get(1L) - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    assertThat(reported.get(3L) - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
  }

  @Test
  void onceEveryTaskIsAnsweredTheTimerIsGone() {
    timer.setRemoveOnCancelPolicy(true);
    BurstDeadlines<Long> deadlines = new BurstDeadlines<>(timer, (id, ms) -> {
      throw new AssertionError("task " + id + " was answered");
    });
    CompletableFuture<Object> a = new CompletableFuture<>();
    CompletableFuture<Object> b = new CompletableFuture<>();
    deadlines.add(1L, a, TimeUnit.SECONDS.toNanos(30));
    deadlines.add(2L, b, TimeUnit.SECONDS.toNanos(30));
    deadlines.start();
    assertThat(timer.getQueue()).hasSize(1);

    a.complete("x");
    assertThat(timer.getQueue()).hasSize(1);
    b.completeExceptionally(new IllegalStateException("failed"));
    assertThat(timer.getQueue()).isEmpty();
  }
}
