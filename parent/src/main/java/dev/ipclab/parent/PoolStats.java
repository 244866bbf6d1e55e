package dev.ipclab.parent;

/**
 * A pool's task counters since it started, read without stopping it (so one snapshot may be a few tasks apart
 * between fields).
 *
 * @param submitted tasks accepted by {@link WorkerPool#submit}
 * @param completed tasks that succeeded
 * @param failed tasks that failed for good (any cause but cancellation)
 * @param cancelled tasks cancelled by their caller
 * @param retried times a task was sent again because its worker died
 * @param restarts workers respawned after a crash or a hang (recycled workers are not counted)
 * @param queued tasks waiting for a worker now
 * @param inFlight tasks sent to a worker and not answered now
 */
public record PoolStats(long submitted, long completed, long failed, long cancelled, long retried,
    long restarts, int queued, int inFlight) {}
