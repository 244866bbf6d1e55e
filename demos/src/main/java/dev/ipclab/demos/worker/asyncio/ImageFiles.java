package dev.ipclab.demos.worker.asyncio;

import dev.ipclab.transport.os.LinuxThreads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Writes downloaded images with {@link AsynchronousFileChannel}, the counterpart of Python's aiofiles: the caller
 * gets a future at once. Linux has no asynchronous file writes that Java uses, so, as aiofiles does, the channel
 * runs a plain {@code pwrite} on a pool thread; the demo gives it one named thread so it can be counted.
 */
final class ImageFiles {
  private ImageFiles() {}

  /** Where and by which thread a file was written. */
  record Written(Path path, long fileBytes, long fileTid) {}

  /** Starts writing {@code bytes} to a new file {@code path}; the future completes after the last byte is on disk. */
  static CompletableFuture<Written> write(Path path, byte[] bytes, ExecutorService fileThread) {
    CompletableFuture<Written> done = new CompletableFuture<>();
    try {
      AsynchronousFileChannel channel = AsynchronousFileChannel.open(path,
          Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW), fileThread);
      writeFrom(channel, path, ByteBuffer.wrap(bytes), done);
    } catch (IOException | RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** Writes the rest of {@code buffer} at its position; a short write continues where it stopped. */
  private static void writeFrom(AsynchronousFileChannel channel, Path path, ByteBuffer buffer,
      CompletableFuture<Written> done) {
    channel.write(buffer, buffer.position(), null, new CompletionHandler<Integer, Void>() {
      @Override
      public void completed(Integer written, Void attachment) {
        if (buffer.hasRemaining()) {
          writeFrom(channel, path, buffer, done);
          return;
        }
        long tid = LinuxThreads.currentTid(); // the thread that ran the pwrite and now this handler
        try {
          channel.close();
          done.complete(new Written(path, Files.size(path), tid));
        } catch (IOException e) {
          done.completeExceptionally(e);
        }
      }

      @Override
      public void failed(Throwable e, Void attachment) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        done.completeExceptionally(new IOException("could not write " + path + ": " + e.getMessage(), e));
      }
    });
  }

  /** SHA-256 of {@code bytes}, lower-case hex. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
