package dev.ipclab.demos.evidence;

import java.util.List;

/**
 * What the web-server demo measured: three servers (an event loop, a virtual thread per connection, a platform
 * thread per connection) under levels of connections held at once, each read from outside through /proc.
 *
 * @param levels every level that ran, by server then by connections; lower levels may be skipped for time
 * @param servers the three servers, in the order they ran
 * @param limits the OS limits a thread per connection can meet on this machine
 */
public record WebServerEvidence(List<Level> levels, List<Server> servers, Limits limits) implements DemoEvidence {

  /**
   * One server under one level of load: one request per connection, all sent at once.
   *
   * @param mode the server, e.g. {@code "one event loop (Netty)"}
   * @param connections the connections the load opened at once
   * @param answered the requests answered within the load's time
   * @param requestsPerS answered requests per second, from sending to the last answer
   * @param p50Ms the median latency of the answered requests
   * @param p99Ms their 99th percentile
   * @param kernelThreads the server's most kernel threads ({@code Threads:} of /proc/&lt;pid&gt;/status) under load
   * @param rssKib its largest resident memory under load
   * @param fds its open fds while it held the connections
   * @param heldConnections the connections it held at once: open fds beyond those it had idle
   * @param threadsPerHeld kernel threads it added per connection held
   * @param rssKibPerHeld resident KiB it added per connection held, at its peak
   * @param firstFailure the load's first failure, or empty
   */
  public record Level(String mode, int connections, int answered, double requestsPerS, double p50Ms, double p99Ms,
      int kernelThreads, long rssKib, int fds, int heldConnections, double threadsPerHeld, double rssKibPerHeld,
      String firstFailure) {}

  /**
   * One server worker, and the connections it could not give a thread.
   *
   * @param mode the server, as in {@link Level#mode()}
   * @param pid its process
   * @param refused connections it accepted but could not start a thread for
   * @param firstRefusal the OS's message for the first of them, or empty
   */
  public record Server(String mode, long pid, long refused, String firstRefusal) {}

  /**
   * The limits of this machine that bound a thread per connection, as the OS gives them ("?" if unreadable).
   *
   * @param openFiles {@code ulimit -n}, soft / hard, of the load generator's process
   * @param maxProcesses {@code ulimit -u}, soft / hard: processes and threads per user
   * @param threadsMax {@code kernel.threads-max}
   * @param pidMax {@code kernel.pid_max}
   * @param somaxconn {@code net.core.somaxconn}: a listener's accept-queue size
   */
  public record Limits(String openFiles, String maxProcesses, String threadsMax, String pidMax, String somaxconn) {}
}
