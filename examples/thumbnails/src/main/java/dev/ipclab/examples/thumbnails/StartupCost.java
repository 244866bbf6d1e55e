package dev.ipclab.examples.thumbnails;

import dev.ipclab.examples.thumbnails.worker.ThumbnailTasks;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerPoolBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Measures what a worker's class path costs at start-up: spawn to ready of one-worker pools, and the worker's CPU
 * time until then, started one after another, the variants taking turns so that a change in the machine's load
 * hits them all alike.
 *
 * <ul>
 *   <li>{@code worker-jar}: the ipclab worker jar alone, the pool's default, with the AOT cache the ipclab build
 *       trained beside it;
 *   <li>{@code worker-jar, no AOT}: the same with {@code -XX:AOTMode=off}, which also turns off the JDK's own CDS
 *       archive: no class comes pre-loaded at all;
 *   <li>{@code this JVM's class path}: {@code classPathOfThisJvm()}, as ThumbnailsApp starts its workers. Its first
 *       entry is not the worker jar, so the pool offers no cache (the JDK's CDS archive still serves the JDK);
 *   <li>{@code worker-jar + example}: the worker jar first, then this example's classes
 *       ({@code addClassPath(codeSource(ThumbnailTasks.class))}). The JVM accepts a cache trained on a prefix of
 *       the class path, so the cache serves ipclab's classes and only the example's load without it.
 * </ul>
 *
 * <p>The worker jar must be the one built in the ipclab repository ({@code worker/target/ipclab-worker.jar}, with
 * {@code lib/} and the {@code .aot} caches beside it): the jar in the local Maven repository has neither.
 */
public final class StartupCost {
  private StartupCost() {}

  public static void main(String[] args) throws Exception {
    int spawns = 10;
    Path workerJar = Path.of("../../worker/target/ipclab-worker.jar");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--spawns" -> spawns = Integer.parseInt(args[++i]);
        case "--worker-jar" -> workerJar = Path.of(args[++i]);
        default -> {
          System.err.println("Usage: StartupCost [--spawns N] [--worker-jar PATH]   (unknown: " + args[i] + ")");
          System.exit(2);
        }
      }
    }
    Path jar = workerJar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      System.err.println("StartupCost: no worker jar at " + jar + "; build it with './mvnw install -DskipTests' in"
          + " the ipclab repository, or name it with --worker-jar");
      System.exit(2);
    }
    Path cache = jar.resolveSibling("ipclab-worker-pipe.aot");
    System.out.println("worker jar " + jar + (Files.isRegularFile(cache) ? ", AOT cache " + cache
        : ", no AOT cache beside it (trained by './mvnw package' without -Dipclab.aot.skip=true)"));

    Map<String, Supplier<WorkerPoolBuilder>> variants = new LinkedHashMap<>();
    variants.put("worker-jar", () -> WorkerPool.builder().workerJar(jar));
    variants.put("worker-jar, no AOT", () -> WorkerPool.builder().workerJar(jar).jvmArgs(List.of("-XX:AOTMode=off")));
    variants.put("this JVM's class path", () -> WorkerPool.builder()
        .classPath(WorkerPoolBuilder.classPathOfThisJvm()).requireKinds(ThumbnailTasks.KIND));
    variants.put("worker-jar + example", () -> WorkerPool.builder().workerJar(jar)
        .addClassPath(WorkerPoolBuilder.codeSource(ThumbnailTasks.class)).requireKinds(ThumbnailTasks.KIND));

    Map<String, List<long[]>> samples = new LinkedHashMap<>();
    variants.keySet().forEach(v -> samples.put(v, new ArrayList<>()));
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    spawn(variants.values().iterator().next()); // unmeasured: warms this JVM and the page cache
    for (int round = 0; round < spawns; round++) {
      for (Map.Entry<String, Supplier<WorkerPoolBuilder>> v : variants.entrySet()) {
        samples.get(v.getKey()).add(spawn(v.getValue()));
      }
    }
    System.out.printf(Locale.ROOT, "%d spawns of each, taking turns; median (min..max)%n", spawns);
    System.out.printf(Locale.ROOT, "%-24s %-24s %s%n", "worker class path", "spawn to ready, ms",
        "worker CPU until ready, ms");
    for (Map.Entry<String, List<long[]>> e : samples.entrySet()) {
      System.out.printf(Locale.ROOT, "%-24s %-24s %s%n", e.getKey(), summary(e.getValue(), 0),
          summary(e.getValue(), 1));
    }
    System.out.printf(Locale.ROOT, "load average before: %s; after: %s%n", loadBefore,
        Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private static String summary(List<long[]> samples, int column) {
    List<Long> sorted = samples.stream().map(s -> s[column]).sorted().toList();
    return String.format(Locale.ROOT, "%d (%d..%d)", sorted.get(sorted.size() / 2), sorted.get(0),
        sorted.get(sorted.size() - 1));
  }

  /**
   * One one-worker pool: its worker's spawn to ready, and the CPU time the worker had used by then (user + system,
   * from /proc, in 10 ms ticks), which a busy machine changes much less than the wall time.
   */
  private static long[] spawn(Supplier<WorkerPoolBuilder> builder) throws IOException, InterruptedException {
    try (WorkerPool pool = builder.get().workers(1).start()) {
      String stat = Files.readString(Path.of("/proc", Long.toString(pool.worker(1).pid()), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3, the state
      long cpuTicks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
      return new long[] {pool.worker(1).spawnToReady().toMillis(), cpuTicks * 10};
    }
  }
}
