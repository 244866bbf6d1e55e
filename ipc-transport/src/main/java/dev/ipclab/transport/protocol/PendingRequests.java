package dev.ipclab.transport.protocol;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Matches replies to requests by {@code request_id}, so many requests can be in flight on one channel, and fails
 * every one of them at once, with the cause, when the channel dies.
 *
 * <p>Ids start at 1 because 0 means "one-way" on the wire and cannot be told apart from "unset".
 */
public final class PendingRequests<R> {
  private final AtomicLong lastId = new AtomicLong();
  private final ConcurrentHashMap<Long, CompletableFuture<R>> inFlight = new ConcurrentHashMap<>();
  private volatile Throwable closedCause;

  /** A new request: its id for the wire, and the future its reply completes. */
  public record Pending<R>(long id, CompletableFuture<R> reply) {}

  /** Registers a new request. If the channel is already dead, the future fails at once. */
  public Pending<R> open() {
    long id = lastId.incrementAndGet();
    CompletableFuture<R> reply = new CompletableFuture<>();
    inFlight.put(id, reply);
    Throwable cause = closedCause;
    if (cause != null && inFlight.remove(id) != null) {
      reply.completeExceptionally(cause);
    }
    return new Pending<>(id, reply);
  }

  /** Completes request {@code id}; false if no such request is in flight (late, duplicate or unknown id). */
  public boolean complete(long id, R reply) {
    CompletableFuture<R> future = inFlight.remove(id);
    return future != null && future.complete(reply);
  }

  /** Fails request {@code id}; false if no such request is in flight. */
  public boolean fail(long id, Throwable cause) {
    CompletableFuture<R> future = inFlight.remove(id);
    return future != null && future.completeExceptionally(cause);
  }

  /** Fails every request in flight and every later one with {@code cause}. */
  public void failAll(Throwable cause) {
    closedCause = cause;
    for (Long id : inFlight.keySet()) {
      fail(id, cause);
    }
  }

  /** How many requests await a reply. */
  public int inFlight() {
    return inFlight.size();
  }

  /** The highest id handed out so far; 0 before the first request. */
  public long lastId() {
    return lastId.get();
  }
}
