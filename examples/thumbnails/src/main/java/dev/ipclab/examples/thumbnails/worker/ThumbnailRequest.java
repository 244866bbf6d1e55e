package dev.ipclab.examples.thumbnails.worker;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The payload of a {@code thumbnail} task: which image to read, where to write its thumbnail, and the longest side
 * the thumbnail may have. On the wire it is three lines of UTF-8 text, {@code source\ntarget\nmaxSide}: a format
 * this small needs no protobuf message of its own (so paths must not contain a line break).
 *
 * @param source an image file that {@code javax.imageio} can read, as the worker sees it (same machine)
 * @param target the PNG file to write; replaced if it exists
 * @param maxSide the longest side of the thumbnail, in pixels; smaller images are copied at their size
 */
public record ThumbnailRequest(Path source, Path target, int maxSide) {

  public ThumbnailRequest {
    if (maxSide < 1) {
      throw new IllegalArgumentException("a thumbnail's longest side must be at least 1 px, got " + maxSide);
    }
    for (Path p : new Path[] {source, target}) {
      if (p.toString().contains("\n")) {
        throw new IllegalArgumentException("a path with a line break cannot travel in a thumbnail request: " + p);
      }
    }
  }

  public ByteString toPayload() {
    return ByteString.copyFrom(source + "\n" + target + "\n" + maxSide, StandardCharsets.UTF_8);
  }

  /** The inverse of {@link #toPayload}; an IllegalArgumentException says what was wrong with the payload. */
  public static ThumbnailRequest parse(ByteString payload) {
    String[] lines = payload.toStringUtf8().split("\n", -1);
    if (lines.length != 3) {
      throw new IllegalArgumentException("a thumbnail request is 3 lines (source, target, max side), got "
          + lines.length + ": \"" + payload.toStringUtf8() + "\"");
    }
    return new ThumbnailRequest(Path.of(lines[0]), Path.of(lines[1]), Integer.parseInt(lines[2]));
  }
}
