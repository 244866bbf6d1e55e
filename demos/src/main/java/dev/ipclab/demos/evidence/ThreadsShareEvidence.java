package dev.ipclab.demos.evidence;

import java.util.List;

/**
 * What the threads-share demo measured: each process's own counter, three races of threads on one counter in one
 * worker, and the racing threads as the kernel lists them.
 *
 * @param processCounters each worker process's own counter after it counted alone, in worker order
 * @param unsynchronized the race with read, pause, write+1 and no synchronization (it runs for a fixed time)
 * @param locked the race in a synchronized block
 * @param atomic the race with AtomicLong.incrementAndGet
 * @param racerTids the racing threads of the atomic race, still parked
 * @param counterIdentities distinct counter objects (identity hash codes) the racers incremented
 * @param minPeersSeen the fewest other racers' marks a racer read in an array they all wrote to
 * @param workerThreadsReported {@code Threads:} of the worker's /proc/self/status, read by the worker while every
 *     racer was alive
 * @param racerTasksInProc threads the kernel names {@code share-counter-N} in /proc/&lt;pid&gt;/task
 * @param workerThreadsInProcStatus {@code Threads:} of the worker's /proc/&lt;pid&gt;/status, read by the parent
 *     afterwards
 */
public record ThreadsShareEvidence(List<Long> processCounters, Race unsynchronized, Race locked, Race atomic,
    List<Long> racerTids, long counterIdentities, int minPeersSeen, int workerThreadsReported, long racerTasksInProc,
    int workerThreadsInProcStatus) implements DemoEvidence {

  /**
   * One race of the racing threads on one counter.
   *
   * @param tried the additions the threads made: what an exact counter ends at
   * @param counted the counter's value at the end
   * @param lost {@code tried - counted}
   * @param elapsedMs how long the race took
   */
  public record Race(long tried, long counted, long lost, double elapsedMs) {}
}
