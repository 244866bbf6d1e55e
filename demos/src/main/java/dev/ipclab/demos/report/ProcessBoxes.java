package dev.ipclab.demos.report;

import java.util.List;

/**
 * Two processes as boxes, each holding a value at the same virtual address (private memory), and the shared
 * {@code /dev/shm} mapping drawn as the one bridge between them. A diagram, not a plot: it has no value axis.
 */
public final class ProcessBoxes {
  /**
   * One process.
   *
   * @param name its role, e.g. worker-1
   * @param pid its process id
   * @param value what it read at the common address
   * @param sharedAt where it mapped the shared file
   * @param wrote what it wrote into the shared file
   * @param read what it read from it, written by the other
   */
  public record Process(String name, long pid, String value, String sharedAt, String wrote, String read) {}

  static final String PRIVATE = "#9ecae1";
  static final String SHARED = "#fdae6b";
  private static final double HEIGHT = 300;
  private static final double BOX_W = 380;

  private ProcessBoxes() {}

  /** The SVG: {@code address} is the virtual address both used, {@code shmPath} the file they both mapped. */
  public static String render(String title, String address, String shmPath, Process a, Process b) {
    Svg svg = new Svg(Layout.WIDTH, HEIGHT, title);
    Legend.draw(svg, 40, 40, List.of(new Legend.Entry("private memory (same address, own value)", PRIVATE),
        new Legend.Entry("shared mapping of one file", SHARED)));
    double ax = 40;
    double bx = Layout.WIDTH - 40 - BOX_W;
    box(svg, ax, address, a);
    box(svg, bx, address, b);
    // The bridge: the shared pages belong to neither box alone.
    double y = 214;
    svg.rect(ax + BOX_W - 260, y, bx - ax - BOX_W + 520, 44, "bridge", SHARED, "the shared mapping");
    svg.text(Layout.WIDTH / 2, y + 18, shmPath, "bridge-label", "middle");
    svg.text(Layout.WIDTH / 2, y + 36, a.name() + " wrote " + a.wrote() + " → " + b.name() + " read " + b.read()
        + ";  " + b.name() + " wrote " + b.wrote() + " → " + a.name() + " read " + a.read(), "bridge-label",
        "middle");
    return svg.finish();
  }

  private static void box(Svg svg, double x, String address, Process p) {
    svg.rect(x, 60, BOX_W, 220, "process", "none", p.name() + " (pid " + p.pid() + ")");
    svg.text(x + 12, 82, p.name() + " — pid " + p.pid(), "box-title", "start");
    svg.rect(x + 12, 96, BOX_W - 24, 56, "private", PRIVATE, "private page at " + address);
    svg.text(x + 24, 118, "virtual address " + address, "box-text", "start");
    svg.text(x + 24, 140, "value read there: " + p.value(), "box-text", "start");
    svg.text(x + 12, 182, "/dev/shm file mapped at " + p.sharedAt(), "box-text", "start");
  }
}
