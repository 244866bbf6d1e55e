package dev.ipclab.parent;

/**
 * The root of every failure the ipclab pool reports: catch this one family. It is unchecked, as the futures the
 * pool returns carry it; {@link TaskHandle#await()} and {@link Await#result} throw it as it is, never wrapped in an
 * {@link java.util.concurrent.ExecutionException} or a {@link java.util.concurrent.CompletionException}.
 *
 * <pre>
 *   IpclabException
 *   ├── PoolFailedException      the pool gave up after too many restarts
 *   ├── PoolSaturatedException   the queue is full (Backpressure.FAIL)
 *   ├── TaskFailedException      a task failed for good (the cause says why: one of the below, a deadline...)
 *   ├── WorkerFailedException    a worker died, hung, broke the protocol or never became ready
 *   ├── RemoteErrorException     a worker answered with an error reply (its ErrorCode)
 *   └── RequestTimeoutException  a worker did not answer a ping or status request in time
 * </pre>
 *
 * <p>A cancelled task is the exception: its future fails with the JDK's
 * {@link java.util.concurrent.CancellationException}, as {@link java.util.concurrent.Future#isCancelled} expects.
 */
public class IpclabException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IpclabException(String message) {
    super(message);
  }

  public IpclabException(String message, Throwable cause) {
    super(message, cause);
  }
}
