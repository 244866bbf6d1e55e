package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The TCP sockets in LISTEN state as the kernel lists them in {@code /proc/net/tcp} and {@code /proc/net/tcp6}
 * (what {@code ss -ltn} shows), and which process owns one: the socket's inode among {@code /proc/<pid>/fd}.
 */
public final class ListeningSockets {
  /** The {@code st} column's value for TCP_LISTEN. */
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /**
   * One listening socket.
   *
   * @param address the local address, dotted IPv4 for IPv4 and IPv4-mapped IPv6 sockets, else 32 hex digits
   * @param port the local port
   * @param inode the socket's inode, as {@code /proc/<pid>/fd/N -> socket:[inode]} names it
   */
  public record Listener(String address, int port, long inode) {
    /** Whether only this machine can connect: 127.0.0.0/8 or ::1. */
    public boolean loopbackOnly() {
      return address.startsWith("127.") || address.equals("00000000000000000000000001000000");
    }
  }

  /** Every listening TCP socket of this network namespace, IPv4 and IPv6. */
  public static List<Listener> all() throws IOException {
    List<Listener> all = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (Files.exists(path)) {
        all.addAll(parse(Files.readAllLines(path)));
      }
    }
    return all;
  }

  /** The listening sockets on {@code port}. */
  public static List<Listener> onPort(int port) throws IOException {
    return all().stream().filter(l -> l.port() == port).toList();
  }

  /** Parses the lines of /proc/net/tcp or tcp6, header included; rows that are not LISTEN are skipped. */
  static List<Listener> parse(List<String> lines) {
    List<Listener> listeners = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      if (f.length < 10 || !f[0].endsWith(":") || !f[3].equalsIgnoreCase(LISTEN)) {
        continue;
      }
      int colon = f[1].indexOf(':');
      String address = address(f[1].substring(0, colon));
      int port = Integer.parseInt(f[1].substring(colon + 1), 16);
      listeners.add(new Listener(address, port, Long.parseLong(f[9])));
    }
    return listeners;
  }

  /**
   * The kernel prints an address as 32-bit words in host byte order (little-endian here): IPv4 {@code 0100007F}
   * is 127.0.0.1; IPv6 {@code 0000000000000000FFFF00000100007F} is ::ffff:127.0.0.1, which is shown as 127.0.0.1.
   */
  static String address(String hex) {
    if (hex.length() == 8) {
      return ipv4(hex);
    }
    String upper = hex.toUpperCase(Locale.ROOT);
    if (upper.startsWith("0000000000000000FFFF0000")) {
      return ipv4(upper.substring(24));
    }
    return upper;
  }

  private static String ipv4(String word) {
    long v = Long.parseLong(word, 16);
    return (v & 0xff) + "." + (v >> 8 & 0xff) + "." + (v >> 16 & 0xff) + "." + (v >> 24 & 0xff);
  }

  /** The inodes of the sockets {@code pid} has open; empty if the process is gone or not ours to read. */
  public static Set<Long> socketInodes(long pid) {
    Set<Long> inodes = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(Long.parseLong(target.substring("socket:[".length(), target.length() - 1)));
          }
        } catch (IOException e) {
          // closed while we listed
        }
      }
    } catch (IOException e) {
      return Set.of();
    }
    return inodes;
  }
}
