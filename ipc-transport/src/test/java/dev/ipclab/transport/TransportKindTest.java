package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The transport names on command lines. */
class TransportKindTest {

  @Test
  void parsesEveryCliNameCaseInsensitively() {
    assertThat(TransportKind.fromCliName("pipe")).isEqualTo(TransportKind.PIPE);
    assertThat(TransportKind.fromCliName("TCP")).isEqualTo(TransportKind.TCP);
    assertThat(TransportKind.fromCliName("Uds")).isEqualTo(TransportKind.UDS);
  }

  @Test
  void cliNameIsLowerCaseAndRoundTrips() {
    for (TransportKind kind : TransportKind.values()) {
      assertThat(kind.cliName()).isEqualTo(kind.name().toLowerCase(java.util.Locale.ROOT));
      assertThat(kind).hasToString(kind.cliName());
      assertThat(TransportKind.fromCliName(kind.cliName())).isEqualTo(kind);
    }
  }

  @Test
  void unknownNameIsRefusedWithTheValidNames() {
    assertThatThrownBy(() -> TransportKind.fromCliName("shm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown transport 'shm'; expected one of pipe, tcp, uds");
  }

  @Test
  void nullIsRefusedLikeAnyUnknownName() {
    assertThatThrownBy(() -> TransportKind.fromCliName(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected one of pipe, tcp, uds");
  }
}
