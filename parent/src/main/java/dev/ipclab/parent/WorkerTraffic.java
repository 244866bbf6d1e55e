package dev.ipclab.parent;

/**
 * The parent's counters of one worker's channel at one moment; all zero before its handshake.
 *
 * @param bytesIn bytes of the frames from the worker, length prefixes included
 * @param bytesOut bytes of the frames to the worker, length prefixes included
 * @param inFlight requests sent and not yet answered (tasks, pings, status requests)
 * @param reportedThreads the worker's Java thread count from its last heartbeat; 0 before the first
 * @param lastHeardNanos {@link System#nanoTime()} when the last frame from the worker arrived
 */
public record WorkerTraffic(long messagesIn, long messagesOut, long bytesIn, long bytesOut, int inFlight,
    int reportedThreads, long lastHeardNanos) {}
