package dev.ipclab.cli.chaos;

/**
 * One fault injected into the pool.
 *
 * @param atNanos {@link System#nanoTime()} just before the fault was injected
 * @param atMillis milliseconds since the run started
 * @param kind which fault
 * @param workerId the slot of the worker it hit
 * @param pid that worker's pid
 * @param detail what exactly was done, for people: {@code "kill -KILL 4242"}
 */
public record InjectedFault(long atNanos, long atMillis, FaultKind kind, int workerId, long pid, String detail) {}
