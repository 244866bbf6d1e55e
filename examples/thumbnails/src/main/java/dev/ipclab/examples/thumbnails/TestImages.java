package dev.ipclab.examples.thumbnails;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Makes the example's inputs: noisy PNGs, and one small PNG that no worker survives decoding. */
final class TestImages {
  /** The dimensions the bomb's header claims: 12000 x 12000 RGB pixels are 432 MB once decoded. */
  static final int BOMB_SIDE = 12_000;

  private TestImages() {}

  /**
   * Writes {@code count} PNGs {@code img-01.png}, {@code img-02.png}, ... of {@code width} x {@code height}: a
   * colour gradient under per-pixel noise, so that scaling has detail to average.
   * They are written on every CPU at once, each from its own seed, so a run makes the same files.
   */
  static List<Path> generate(Path dir, int count, int width, int height) throws IOException {
    Files.createDirectories(dir);
    try {
      return IntStream.rangeClosed(1, count).parallel()
          .mapToObj(i -> write(dir.resolve(String.format("img-%02d.png", i)), width, height, i))
          .sorted()
          .toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static Path write(Path file, int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    SplittableRandom random = new SplittableRandom(seed);
    int blue = random.nextInt(256);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int noise = random.nextInt(); // three channels' worth: 6 bits each, -32..31
        int r = clamp(x * 255 / width + (noise & 63) - 32);
        int g = clamp(y * 255 / height + (noise >> 8 & 63) - 32);
        int b = clamp(blue + (noise >> 16 & 63) - 32);
        pixels[y * width + x] = r << 16 | g << 8 | b;
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      // Quality 1.0 is deflate level 0 (stored) in the JDK's PNG writer: noise hardly compresses anyway (level 1
      // saved 5%), and storing writes the inputs 3 to 5 times faster.
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(1.0f);
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the test image " + file, e);
    } finally {
      writer.dispose();
    }
    return file;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  /**
   * Writes a PNG of about a hundred bytes whose header claims {@link #BOMB_SIDE} x {@link #BOMB_SIDE} RGB pixels
   * and whose image data holds only the first row. {@code ImageIO.read} allocates the whole image from the header
   * before it reads the data, so decoding it needs 432 MB of heap; in a JVM with more than that it fails with an
   * IOException, as a truncated file should.
   */
  static Path writeBomb(Path file) throws IOException {
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      ByteArrayOutputStream header = new ByteArrayOutputStream();
      DataOutputStream h = new DataOutputStream(header);
      h.writeInt(BOMB_SIDE); // width
      h.writeInt(BOMB_SIDE); // height
      h.write(new byte[] {8, 2, 0, 0, 0}); // 8 bits per sample, RGB, deflate, adaptive filters, no interlace
      chunk(out, "IHDR", header.toByteArray());
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      try (OutputStream z = new DeflaterOutputStream(data)) {
        z.write(new byte[1 + 3 * BOMB_SIDE]); // one row: filter byte 0, then black pixels
      }
      chunk(out, "IDAT", data.toByteArray());
      chunk(out, "IEND", new byte[0]);
    }
    return file;
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeInt(data.length);
    out.write(name);
    out.write(data);
    out.writeInt((int) crc.getValue());
  }
}
