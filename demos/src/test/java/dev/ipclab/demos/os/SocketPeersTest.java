package dev.ipclab.demos.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketPeersTest {
  @Test
  void ssLinesGiveEachUnixSocketItsPeerInodeAndPath() {
    Map<Long, SocketPeers.End> ends = SocketPeers.parseSs("""
        Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port
        u_str LISTEN 0      1      /tmp/ipclab-1-2/ipc.sock 490 * 0
        u_str ESTAB  0      0      /tmp/ipclab-1-2/ipc.sock 493 * 494
        u_str ESTAB  0      0      * 494 * 493
        """);
    assertThat(ends).containsOnlyKeys(493L, 494L);
    assertThat(ends.get(493L)).isEqualTo(new SocketPeers.End(493, 494, "/tmp/ipclab-1-2/ipc.sock"));
    assertThat(ends.get(494L)).isEqualTo(new SocketPeers.End(494, 493, ""));
  }

  @Test
  void kernelHexAddressesReadAsIpAndPort() {
    assertThat(SocketPeers.endpoint("0100007F:1F90")).isEqualTo("127.0.0.1:8080");
  }
}
