package dev.ipclab.examples.thumbnails.worker;

import dev.ipclab.worker.TaskModule;
import dev.ipclab.worker.WorkerContext;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * The worker side of the example: a task module with one kind, {@code thumbnail}, which reads an image with
 * {@code javax.imageio}, scales it down and writes it as a PNG. It runs inside each worker JVM, which finds it
 * through {@code META-INF/services/dev.ipclab.worker.TaskModule}.
 *
 * <p>Decoding untrusted images is what process isolation is for: a file whose header claims 12000 x 12000 pixels
 * makes {@code ImageIO.read} allocate 432 MB for them before it reads a single one. A worker's heap is 256 MB and
 * the pool starts it with {@code -XX:+ExitOnOutOfMemoryError}, so that worker exits (status 3) instead of limping
 * on, the task fails with the decoded exit, and the pool starts a new worker. (A careful handler would also ask
 * {@code ImageReader.getWidth(0)} first; the process boundary is for what nobody thought to check.)
 */
public final class ThumbnailTasks implements TaskModule {
  /** The task kind this module serves. */
  public static final String KIND = "thumbnail";

  @Override
  public void start(WorkerContext context) {
    // A task thread runs the handler; a thrown exception fails this task only, and the worker carries on.
    context.register(KIND, payload -> thumbnail(ThumbnailRequest.parse(payload)).toPayload());
  }

  /** Reads, scales and writes one image. */
  static ThumbnailResult thumbnail(ThumbnailRequest request) throws IOException {
    BufferedImage source = ImageIO.read(request.source().toFile());
    if (source == null) {
      throw new IOException("no javax.imageio reader knows the format of " + request.source());
    }
    BufferedImage thumbnail = scaleDown(source, request.maxSide());
    // Written aside and moved into place: a worker that dies mid-write leaves no half thumbnail under the name.
    Path target = request.target();
    Path part = target.resolveSibling(target.getFileName() + ".part");
    if (!ImageIO.write(thumbnail, "png", part.toFile())) {
      throw new IOException("this JVM has no PNG writer");
    }
    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new ThumbnailResult(source.getWidth(), source.getHeight(), thumbnail.getWidth(), thumbnail.getHeight(),
        Files.size(target));
  }

  /**
   * Scales so that the longer side is at most {@code maxSide}, keeping the aspect ratio. It halves the image
   * bilinearly until the next step would pass the target: one bilinear step from 1600 px to 200 px would read only
   * 4 of every 64 source pixels, and the thumbnail would alias.
   */
  static BufferedImage scaleDown(BufferedImage image, int maxSide) {
    double scale = Math.min(1.0, (double) maxSide / Math.max(image.getWidth(), image.getHeight()));
    int width = Math.max(1, (int) Math.round(image.getWidth() * scale));
    int height = Math.max(1, (int) Math.round(image.getHeight() * scale));
    BufferedImage current = image;
    do {
      int w = Math.max(width, current.getWidth() / 2);
      int h = Math.max(height, current.getHeight() / 2);
      BufferedImage next = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = next.createGraphics();
      try {
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(current, 0, 0, w, h, null);
      } finally {
        g.dispose();
      }
      current = next;
    } while (current.getWidth() != width || current.getHeight() != height);
    return current;
  }
}
