package dev.ipclab.cli.inspect;

import dev.ipclab.cli.inspect.Snapshot.Channel;
import dev.ipclab.cli.inspect.Snapshot.FdInfo;
import dev.ipclab.cli.inspect.Snapshot.ProcessInfo;
import dev.ipclab.demos.os.SocketPeers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs the parent's pipes and sockets with its workers' by inode: a pipe's two ends share one inode; a Unix
 * socket's peer inode comes from {@code ss}, a TCP socket's from the ports in /proc/net/tcp.
 */
final class ChannelPairing {
  private ChannelPairing() {}

  /**
   * The channels between {@code processes.getFirst()} (the parent) and the others.
   *
   * @param endpoint the parent's listening endpoint from its record ({@code 127.0.0.1:port}, a socket path, or
   *     {@code stdin/stdout}); tells which socket carries the protocol
   */
  static List<Channel> pair(List<ProcessInfo> processes, String endpoint, List<String> notes) {
    List<Channel> channels = new ArrayList<>();
    if (processes.isEmpty()) {
      return channels;
    }
    ProcessInfo parent = processes.getFirst();
    Map<Long, FdInfo> parentPipes = new HashMap<>();
    Map<Long, FdInfo> parentSockets = new HashMap<>();
    for (FdInfo fd : parent.fds()) {
      // A pipe's inode may be open twice in one process (dup); the first fd names it.
      (fd.kind().equals("pipe") ? parentPipes : parentSockets).putIfAbsent(fd.inode(), fd);
    }
    Map<Long, SocketPeers.End> unix = Map.of();
    Map<Long, SocketPeers.End> tcp = Map.of();
    try {
      unix = SocketPeers.unix();
    } catch (IOException e) {
      notes.add("Unix sockets not paired: " + e.getMessage());
    }
    try {
      tcp = SocketPeers.tcp();
    } catch (IOException e) {
      notes.add("TCP sockets not paired: " + e.getMessage());
    }
    for (ProcessInfo worker : processes.subList(1, processes.size())) {
      for (FdInfo fd : worker.fds()) {
        if (fd.kind().equals("pipe")) {
          FdInfo p = parentPipes.get(fd.inode());
          if (p != null) {
            // On the pipe transport the worker's stdin and stdout are the protocol; otherwise just its stdin.
            boolean protocol = endpoint.equals("stdin/stdout") && (fd.fd() == 0 || fd.fd() == 1);
            channels.add(new Channel("pipe", p.fd(), fd.inode(), worker.label(), worker.pid(), fd.fd(), fd.inode(),
                protocol, fd.fd() == 0 ? "worker's stdin" : fd.fd() == 1 ? "worker's stdout" : ""));
          }
          continue;
        }
        SocketPeers.End u = unix.get(fd.inode());
        SocketPeers.End t = tcp.get(fd.inode());
        SocketPeers.End end = u != null ? u : t;
        if (end == null || !parentSockets.containsKey(end.peerInode())) {
          continue;
        }
        FdInfo p = parentSockets.get(end.peerInode());
        SocketPeers.End parentEnd = (u != null ? unix : tcp).get(end.peerInode());
        String parentLocal = parentEnd == null ? "" : parentEnd.local();
        // The parent's end of an accepted connection has the listening endpoint's address (path or ip:port).
        boolean protocol = !endpoint.isEmpty() && parentLocal.equals(endpoint);
        String detail = u != null ? (parentLocal.isEmpty() ? "unnamed" : parentLocal)
            : end.local() + " -> " + parentLocal;
        channels.add(new Channel(u != null ? "unix" : "tcp", p.fd(), p.inode(), worker.label(), worker.pid(),
            fd.fd(), fd.inode(), protocol, detail));
      }
    }
    return channels;
  }
}
