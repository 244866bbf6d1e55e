package dev.ipclab.parent;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who the kernel says is on the other end of a Unix socket ({@code SO_PEERCRED}, taken at connect time): the
 * peer cannot forge it, unlike the pid it writes in its hello. TCP has no such thing, so there the token is the
 * only proof and the loopback-only listener the only fence.
 */
record PeerIdentity(long pid, int uid) {

  /** The peer of {@code ch} if it is a Unix socket, else null (TCP: the kernel does not tell). */
  static PeerIdentity of(Channel ch) throws IOException {
    if (ch instanceof EpollDomainSocketChannel uds) {
      PeerCredentials creds = uds.peerCredentials();
      return new PeerIdentity(creds.pid(), creds.uid());
    }
    return null;
  }

  /** This process's real uid, which every worker of ours runs as. */
  static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read this process's uid from /proc/self: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "pid " + pid + ", uid " + uid;
  }
}
