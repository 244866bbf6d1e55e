package dev.ipclab.transport;

import java.io.InputStream;

/**
 * A fuzz input's stream as a pipe delivers it: bytes from {@code from} on, at most {@code readSize} per read, then
 * end of stream; it counts the reads that found bytes, so a test can tell whether a call would have blocked.
 */
public final class ChunkedInput extends InputStream {
  private final byte[] bytes;
  private final int readSize;
  private int at;
  private int reads;

  public ChunkedInput(byte[] bytes, int from, int readSize) {
    this.bytes = bytes;
    this.at = from;
    this.readSize = readSize;
  }

  /**
   * The read size that byte 0 of every fuzz input selects in its low six bits: 1..63 bytes, or 0x3f for the whole
   * stream in one read.
   */
  public static int readSize(byte how) {
    return (how & 0x3f) == 0x3f ? Integer.MAX_VALUE : (how & 0x3f) + 1;
  }

  @Override
  public int read() {
    return at < bytes.length ? bytes[at++] & 0xff : -1;
  }

  @Override
  public int read(byte[] dst, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (at == bytes.length) {
      return -1;
    }
    int n = Math.min(Math.min(len, readSize), bytes.length - at);
    System.arraycopy(bytes, at, dst, off, n);
    at += n;
    reads++;
    return n;
  }

  @Override
  public int available() {
    return Math.min(readSize, bytes.length - at);
  }

  public int reads() {
    return reads;
  }
}
