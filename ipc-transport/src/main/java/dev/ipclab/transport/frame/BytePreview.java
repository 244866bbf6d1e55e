package dev.ipclab.transport.frame;

/** Shows the first bytes of something unreadable as hex and printable ASCII, so a stray print is recognizable. */
public final class BytePreview {
  private static final int MAX_BYTES = 24;

  private BytePreview() {}

  /** {@code 48 65 6c 6c 6f "Hello"}, at most 24 bytes, then an ellipsis. */
  public static String of(byte[] bytes) {
    int n = Math.min(bytes.length, MAX_BYTES);
    StringBuilder hex = new StringBuilder();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      if (i > 0) {
        hex.append(' ');
      }
      hex.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
      text.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
    }
    String more = bytes.length > n ? " ..." : "";
    return hex + more + " \"" + text + more + "\"";
  }
}
