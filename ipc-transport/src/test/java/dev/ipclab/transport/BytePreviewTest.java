package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.transport.frame.BytePreview;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hex-and-ASCII preview that makes a stray print recognizable in an error message. */
class BytePreviewTest {

  @Test
  void showsHexAndPrintableAscii() {
    assertThat(BytePreview.of("Hello".getBytes(StandardCharsets.US_ASCII))).isEqualTo("48 65 6c 6c 6f \"Hello\"");
  }

  @Test
  void unprintableBytesAreDotsInTheText() {
    assertThat(BytePreview.of(new byte[] {0, 0x1f, 0x7f, (byte) 0x80, (byte) 0xff, ' ', '~'}))
        .isEqualTo("00 1f 7f 80 ff 20 7e \"..... ~\"");
  }

  @Test
  void emptyInputIsEmptyQuotes() {
    assertThat(BytePreview.of(new byte[0])).isEqualTo(" \"\"");
  }

  @Test
  void showsAtMost24BytesThenAnEllipsis() {
    byte[] line = "Listening on port 8080 for connections\n".getBytes(StandardCharsets.US_ASCII);

    String preview = BytePreview.of(line);

    assertThat(preview).isEqualTo("4c 69 73 74 65 6e 69 6e 67 20 6f 6e 20 70 6f 72 74 20 38 30 38 30 20 66 ..."
        + " \"Listening on port 8080 f ...\"");
  }

  @Test
  void exactly24BytesHaveNoEllipsis() {
    byte[] bytes = "abcdefghijklmnopqrstuvwx".getBytes(StandardCharsets.US_ASCII);

    assertThat(BytePreview.of(bytes)).doesNotContain("...").endsWith(" 78 \"abcdefghijklmnopqrstuvwx\"");
  }
}
