package dev.ipclab.demos.worker.asyncio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A real PNG of seeded noise pixels, of about a requested size: any image viewer opens it, and the same seed and
 * size give the same bytes in every run.
 *
 * <p>Noise does not compress, so the pixels are stored uncompressed (deflate level 0), which makes the file size
 * predictable: the raw rows plus a few bytes per 64 KiB block and the chunk headers.
 */
public record NoisePng(byte[] bytes, int width, int height) {
  static final int WIDTH = 256;
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int RGB = 3;

  /** A noise PNG {@value #WIDTH} pixels wide and high enough for at least {@code sizeBytes} bytes of pixels. */
  public static NoisePng of(long sizeBytes, long seed) {
    if (sizeBytes < 1024 || sizeBytes > 64L << 20) {
      throw new IllegalArgumentException("image size must be 1 KiB .. 64 MiB, got " + sizeBytes + " bytes");
    }
    int row = 1 + WIDTH * RGB; // a filter-type byte (0 = none), then the pixels
    int height = (int) ((sizeBytes + row - 1) / row);
    byte[] raw = new byte[row * height];
    SplittableRandom random = new SplittableRandom(seed);
    for (int y = 0; y < height; y++) {
      raw[y * row] = 0;
      for (int x = 1; x < row; x++) {
        raw[y * row + x] = (byte) random.nextInt(256);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 1024);
    out.writeBytes(SIGNATURE);
    ByteBuffer header = ByteBuffer.allocate(13).putInt(WIDTH).putInt(height)
        .put((byte) 8) // bits per sample
        .put((byte) 2) // colour type 2: RGB
        .put((byte) 0).put((byte) 0).put((byte) 0); // deflate, adaptive filtering, no interlace
    chunk(out, "IHDR", header.array());
    chunk(out, "IDAT", deflateStored(raw));
    chunk(out, "IEND", new byte[0]);
    return new NoisePng(out.toByteArray(), WIDTH, height);
  }

  private static byte[] deflateStored(byte[] raw) {
    Deflater deflater = new Deflater(Deflater.NO_COMPRESSION);
    try {
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 8192 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  /** length, type, data, then the CRC-32 of type and data, as the PNG specification frames every chunk. */
  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(name);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
