package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which socket is connected to which, by inode: Unix sockets from {@code ss -xan} (its peer column holds the
 * peer's inode; /proc/net/unix does not), TCP sockets from the ports in {@code /proc/net/tcp} and {@code tcp6}.
 */
public final class SocketPeers {
  static final String SS_HINT = "ss comes with iproute2: apt-get install iproute2";

  private SocketPeers() {}

  /**
   * One end of a connected socket.
   *
   * @param inode this end's inode, as {@code /proc/<pid>/fd} names it
   * @param peerInode the other end's inode (0 if unknown)
   * @param local this end's address: a Unix socket's path ("" if unnamed) or {@code ip:port}
   */
  public record End(long inode, long peerInode, String local) {}

  /** Connected Unix stream sockets by inode; an IOException (with the install hint) if {@code ss} is missing. */
  public static Map<Long, End> unix() throws IOException {
    return parseSs(OsCommand.run(List.of("ss", "-x", "-a", "-n"), 10_000, SS_HINT));
  }

  /** Parses {@code ss -xan}: {@code u_str ESTAB 0 0 /path/sock 4242 * 4243}; the path may be {@code *}. */
  static Map<Long, End> parseSs(String output) {
    Map<Long, End> ends = new HashMap<>();
    for (String line : output.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8 || !f[0].startsWith("u_") || !f[1].equals("ESTAB")) {
        continue;
      }
      try {
        // Counted from the end: a path with spaces would shift the columns before it, never these.
        long inode = Long.parseLong(f[f.length - 3]);
        long peer = Long.parseLong(f[f.length - 1]);
        String path = f[f.length - 4].equals("*") ? "" : f[f.length - 4];
        ends.put(inode, new End(inode, peer, path));
      } catch (NumberFormatException e) {
        // a header or a line in another format: not a connection
      }
    }
    return ends;
  }

  /** Established TCP sockets by inode, each with its peer's inode when the peer is on this machine. */
  public static Map<Long, End> tcp() throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (Files.exists(path)) {
        for (String line : Files.readAllLines(path)) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st ... inode: state 01 is ESTABLISHED
          if (f.length >= 10 && f[0].endsWith(":") && f[3].equals("01") && !f[9].equals("0")) {
            rows.add(f);
          }
        }
      }
    }
    // Keyed by both addresses: every connection accepted on a port shares the local address of the listener.
    Map<String, Long> byAddresses = new HashMap<>();
    for (String[] f : rows) {
      byAddresses.put(endpoint(f[1]) + " " + endpoint(f[2]), Long.parseLong(f[9]));
    }
    Map<Long, End> ends = new HashMap<>();
    for (String[] f : rows) {
      long inode = Long.parseLong(f[9]);
      // The peer is the socket whose local address is this one's remote address, and the other way round.
      long peer = byAddresses.getOrDefault(endpoint(f[2]) + " " + endpoint(f[1]), 0L);
      ends.put(inode, new End(inode, peer, endpoint(f[1])));
    }
    return ends;
  }

  /** {@code 0100007F:1F90} as {@code 127.0.0.1:8080}. */
  static String endpoint(String hex) {
    int colon = hex.indexOf(':');
    return ListeningSockets.address(hex.substring(0, colon)) + ":" + Integer.parseInt(hex.substring(colon + 1), 16);
  }
}
