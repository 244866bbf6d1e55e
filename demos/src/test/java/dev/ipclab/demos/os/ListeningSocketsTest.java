package dev.ipclab.demos.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading LISTEN sockets out of /proc/net/tcp and tcp6 lines as the kernel prints them. */
class ListeningSocketsTest {
  private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
      + "   uid  timeout inode";

  @Test
  void ipv4ListenersWithTheirPortsAndInodes() {
    List<ListeningSockets.Listener> l = ListeningSockets.parse(List.of(HEADER,
        "   0: 0100007F:91C5 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123456 1 0",
        "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0",
        "   2: 0100007F:91C5 0100007F:D2A0 01 00000000:00000000 00:00000000 00000000  1000        0 999 1 0"));
    assertThat(l).containsExactly(new ListeningSockets.Listener("127.0.0.1", 0x91C5, 123456),
        new ListeningSockets.Listener("0.0.0.0", 22, 777));
    assertThat(l.get(0).loopbackOnly()).isTrue();
    assertThat(l.get(1).loopbackOnly()).isFalse();
  }

  @Test
  void ipv4MappedIpv6IsShownAsIpv4() {
    List<ListeningSockets.Listener> l = ListeningSockets.parse(List.of(HEADER,
        "   0: 0000000000000000FFFF00000100007F:A0F1 00000000000000000000000000000000:0000 0A 00000000:00000000"
            + " 00:00000000 00000000  1000        0 4242 1 0"));
    assertThat(l).containsExactly(new ListeningSockets.Listener("127.0.0.1", 0xA0F1, 4242));
  }

  @Test
  void ipv6LoopbackAndAnyAddress() {
    assertThat(ListeningSockets.address("00000000000000000000000001000000")).isEqualTo(
        "00000000000000000000000001000000");
    assertThat(new ListeningSockets.Listener("00000000000000000000000001000000", 1, 1).loopbackOnly()).isTrue();
    assertThat(new ListeningSockets.Listener("00000000000000000000000000000000", 1, 1).loopbackOnly()).isFalse();
  }
}
