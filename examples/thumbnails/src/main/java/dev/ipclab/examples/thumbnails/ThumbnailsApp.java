package dev.ipclab.examples.thumbnails;

import dev.ipclab.examples.thumbnails.worker.ThumbnailResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The example's parent: makes test images, turns them into thumbnails in a pool of one worker JVM and then in a
 * pool of one worker per CPU, prints the speed-up, and shows that an input which kills its worker fails alone.
 * Run it with no arguments; {@code --help} lists the options.
 */
public final class ThumbnailsApp {
  private static final String CRASHER = "bomb.png";

  /** The command line. */
  record Options(int images, int width, int height, int maxSide, int workers, boolean keep) {
    static Options parse(String[] args) {
      int images = 48;
      int width = 1600;
      int height = 1200;
      int maxSide = 200;
      int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
      boolean keep = false;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--images" -> images = positive(arg, value(args, ++i, arg));
          case "--size" -> {
            String[] wh = value(args, ++i, arg).split("x");
            if (wh.length != 2) {
              throw new IllegalArgumentException("--size takes WIDTHxHEIGHT, such as 1600x1200; got " + args[i]);
            }
            width = positive(arg, wh[0]);
            height = positive(arg, wh[1]);
          }
          case "--max-side" -> maxSide = positive(arg, value(args, ++i, arg));
          case "--workers" -> {
            workers = positive(arg, value(args, ++i, arg));
            if (workers < 2) {
              throw new IllegalArgumentException("--workers is the second pool's, compared with one worker: 2 or"
                  + " more, got " + workers);
            }
          }
          case "--keep" -> keep = true;
          default -> throw new IllegalArgumentException("unknown option " + arg);
        }
      }
      return new Options(images, width, height, maxSide, workers, keep);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static int positive(String option, String value) {
      try {
        int n = Integer.parseInt(value);
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(option + " takes a whole number of 1 or more, got \"" + value + "\"");
    }
  }

  private ThumbnailsApp() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      if (List.of(args).contains("--help")) {
        usage(System.out);
        return;
      }
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("thumbnails: " + e.getMessage());
      usage(System.err);
      System.exit(2);
      return;
    }
    System.exit(run(options, System.out) ? 0 : 1);
  }

  private static void usage(PrintStream out) {
    out.println("""
        Usage: ThumbnailsApp [--images N] [--size WxH] [--max-side PX] [--workers N] [--keep]
          --images N     test images to make (default 48)
          --size WxH     their size in pixels (default 1600x1200)
          --max-side PX  the longest side of a thumbnail (default 200)
          --workers N    workers of the second pool, 2 or more (default: the CPUs this JVM may use, at least 2)
          --keep         keep the images and thumbnails instead of deleting them at the end
        Examples:
          ThumbnailsApp
          ThumbnailsApp --images 16 --size 800x600 --keep""");
  }

  /** Runs both pools and prints what they did; true if every image had its thumbnail and only the bomb failed. */
  static boolean run(Options o, PrintStream out) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("ipclab-thumbnails-");
    try {
      long t0 = System.nanoTime();
      List<Path> images = TestImages.generate(dir.resolve("in"), o.images(), o.width(), o.height());
      Duration made = Duration.ofNanos(System.nanoTime() - t0);
      Path bomb = TestImages.writeBomb(dir.resolve("in").resolve(CRASHER));
      long bytes = 0;
      for (Path image : images) {
        bytes += Files.size(image);
      }
      out.printf(Locale.ROOT, "Made %d noisy %dx%d PNGs (%.1f MB each) in %.1f s, in %s,%n", images.size(),
          o.width(), o.height(), bytes / 1e6 / images.size(), made.toMillis() / 1e3, dir.resolve("in"));
      // The bomb goes in the middle: it kills workers while the other inputs wait or run.
      List<Path> inputs = new ArrayList<>(images);
      inputs.add(images.size() / 2, bomb);
      out.printf(Locale.ROOT, "and %s: %d bytes whose header claims %dx%d pixels (%d MB decoded; a worker's heap"
          + " is 256 MB).%nEach pool gets the %d inputs in this order, %s as number %d.%n%n", CRASHER,
          Files.size(bomb), TestImages.BOMB_SIDE, TestImages.BOMB_SIDE,
          3L * TestImages.BOMB_SIDE * TestImages.BOMB_SIDE / 1_000_000, inputs.size(), CRASHER,
          inputs.indexOf(bomb) + 1);

      List<PoolRun.Result> results = new ArrayList<>();
      for (int workers : List.of(1, o.workers())) {
        PoolRun.Result r = PoolRun.run(workers, inputs, dir.resolve("out-" + workers), o.maxSide());
        results.add(r);
        out.println(summary(r, images.size(), inputs.size()));
      }
      PoolRun.Result one = results.get(0);
      PoolRun.Result many = results.get(1);
      out.printf(Locale.ROOT, "speed-up: %.2fx with %d workers against 1 worker (%d ms / %d ms; this JVM may"
          + " use %d CPUs)%n%n", (double) one.elapsed().toNanos() / many.elapsed().toNanos(), many.workers(),
          one.elapsed().toMillis(), many.elapsed().toMillis(), Runtime.getRuntime().availableProcessors());

      boolean asExpected = true;
      for (PoolRun.Result r : results) {
        String pool = "The pool of " + workers(r.workers());
        String bombFailure = r.failures().get(bomb);
        if (bombFailure == null) {
          out.println(pool + ": " + CRASHER + " did not fail, but it should have crashed its worker.");
          asExpected = false;
        } else {
          out.println(pool + ": " + CRASHER + " failed, as it should:");
          out.println(indent(bombFailure));
        }
        for (Map.Entry<Path, String> f : r.failures().entrySet()) {
          if (!f.getKey().equals(bomb)) {
            out.println(pool + ": " + f.getKey().getFileName() + " failed, but it should not have:");
            out.println(indent(f.getValue()));
            asExpected = false;
          }
        }
      }
      Path first = images.get(0);
      ThumbnailResult t = many.thumbnails().get(first);
      if (t != null) {
        out.printf(Locale.ROOT, "%nFor example %s: %dx%d, %d KB -> %dx%d, %d KB%n", first.getFileName(),
            t.sourceWidth(), t.sourceHeight(), Files.size(first) / 1000, t.width(), t.height(), t.bytes() / 1000);
      }
      if (o.keep()) {
        out.println("Kept the images and thumbnails in " + dir + " (in/; out-N/: the pool of N workers)");
      }
      return asExpected;
    } finally {
      if (!o.keep()) {
        deleteTree(dir);
        out.println("Removed " + dir);
      }
    }
  }

  private static String summary(PoolRun.Result r, int images, int inputs) {
    String spawns = r.spawnToReady().stream().map(d -> Long.toString(d.toMillis()))
        .collect(Collectors.joining(", ", "", " ms"));
    String perWorker = r.perWorker().entrySet().stream()
        .map(e -> "worker-" + e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "pool of %s: ready in %d ms (spawn to ready: %s); %d inputs in %d ms"
        + " (%.1f ms each): %d of %d thumbnails, %d failed; thumbnails per worker: %s", workers(r.workers()),
        r.startup().toMillis(), spawns, inputs, r.elapsed().toMillis(), r.elapsed().toNanos() / 1e6 / inputs,
        r.thumbnails().size(), images, r.failures().size(), perWorker);
  }

  private static String workers(int n) {
    return n == 1 ? "1 worker" : n + " workers";
  }

  private static String indent(String text) {
    return text.lines().map(l -> "    " + l).collect(Collectors.joining(System.lineSeparator()));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
