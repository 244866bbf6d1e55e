package dev.ipclab.transport;

import java.util.Locale;

/** The OS channels a worker can be reached over; one enum value selects one {@link Transport} implementation. */
public enum TransportKind {
  /** The worker's stdin and stdout, as anonymous pipes. */
  PIPE,
  /** Netty over TCP, bound to 127.0.0.1 on an ephemeral port. */
  TCP,
  /** Netty over a Unix domain socket in a private 0700 directory (native epoll). */
  UDS,
  /** Two rings in a memory-mapped 0600 file under {@code /dev/shm}; stdin and stdout serve as doorbells. */
  SHM;

  /** The name used on command lines and in JSON: {@code pipe}, {@code tcp}, {@code uds}, {@code shm}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a command-line name, case-insensitively. */
  public static TransportKind fromCliName(String name) {
    for (TransportKind kind : values()) {
      if (kind.cliName().equalsIgnoreCase(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "unknown transport '" + name + "'; expected one of pipe, tcp, uds, shm");
  }

  @Override
  public String toString() {
    return cliName();
  }
}
