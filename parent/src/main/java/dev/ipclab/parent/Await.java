package dev.ipclab.parent;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Waits for a future of the ipclab API and throws its failure as it is, so callers catch
 * {@link IpclabException} (or a {@link CancellationException}) and never unwrap an {@link ExecutionException} or a
 * {@link CompletionException} by hand.
 *
 * <pre>{@code
 * try {
 *   Pong pong = Await.result(pool.worker(1).ping(payload, Duration.ofSeconds(5)));
 * } catch (RequestTimeoutException | WorkerFailedException e) {
 *   ...
 * }
 * }</pre>
 */
public final class Await {
  private Await() {}

  /**
   * The future's value, once it has one.
   *
   * @throws IpclabException the failure of the request or task, as the library raised it
   * @throws CancellationException if the task was cancelled
   * @throws InterruptedException if this thread was interrupted while waiting (the flag is then clear, as usual)
   */
  public static <T> T result(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw rethrowable(e.getCause());
    } catch (CancellationException e) {
      // Recent JDKs throw a fresh CancellationException("get") whose cause is the one that cancelled the task.
      throw e.getCause() instanceof CancellationException original ? original : e;
    }
  }

  /** What a failed future holds, as the exception to throw: the library's own, unwrapped. */
  static RuntimeException rethrowable(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new IpclabException(cause.getMessage(), cause);
  }

  /** Strips the CompletionException a dependent future adds around the real failure. */
  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
