package dev.ipclab.examples.thumbnails.worker;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * What a {@code thumbnail} task returns: the size of the image it read and of the thumbnail it wrote. On the wire
 * it is one line of ASCII, {@code sourceWidth sourceHeight width height bytes}.
 *
 * @param bytes the thumbnail file's size on disk
 */
public record ThumbnailResult(int sourceWidth, int sourceHeight, int width, int height, long bytes) {

  public ByteString toPayload() {
    return ByteString.copyFrom(sourceWidth + " " + sourceHeight + " " + width + " " + height + " " + bytes,
        StandardCharsets.US_ASCII);
  }

  /** The inverse of {@link #toPayload}. */
  public static ThumbnailResult parse(ByteString payload) {
    String[] f = payload.toString(StandardCharsets.US_ASCII).split(" ");
    if (f.length != 5) {
      throw new IllegalArgumentException("a thumbnail result is 5 numbers, got \""
          + payload.toString(StandardCharsets.US_ASCII) + "\"");
    }
    return new ThumbnailResult(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
        Integer.parseInt(f[3]), Long.parseLong(f[4]));
  }
}
