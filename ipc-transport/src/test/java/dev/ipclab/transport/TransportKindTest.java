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
    assertThat(TransportKind.fromCliName("SHM")).isEqualTo(TransportKind.SHM);
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
    assertThatThrownBy(() -> TransportKind.fromCliName("ram"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown transport 'ram'; expected one of pipe, tcp, uds, shm");
  }

  @Test
  void nullIsRefusedLikeAnyUnknownName() {
    assertThatThrownBy(() -> TransportKind.fromCliName(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected one of pipe, tcp, uds, shm");
  }
}
