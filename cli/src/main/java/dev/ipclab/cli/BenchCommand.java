package dev.ipclab.cli;

import dev.ipclab.cli.bench.BenchJson;
import dev.ipclab.cli.bench.BenchReport;
import dev.ipclab.cli.bench.BenchRunner;
import dev.ipclab.cli.bench.BenchSettings;
import dev.ipclab.cli.bench.BenchText;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ipclab bench}: latency, throughput, spawn, RSS and CPU of every transport, against a bare-JDK baseline. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure every transport and idle mode at each payload size: round-trip percentiles after"
        + " a warm-up that lasts until the JIT compilers go quiet (1 to 10 s), against a bare-JDK echo over the"
        + " same channel (the ratio is ipclab's overhead), one-way throughput, parent and worker CPU per message"
        + " (and the echo's), worker RSS; then worker spawn-to-ready, crash to a READY replacement, and RSS and"
        + " PSS per worker in a pool of 4. Bare-JDK anchors are measured in the same run (a bare child JVM's"
        + " spawn and RSS, an shm spin echo, a buffered one-way stream); every target is a ratio to one of them,"
        + " printed with both sides. Prints a table and which targets hold. Progress goes to stderr.",
        "Pin everything to one CPU to see the software cost: taskset -c 0 scripts/ipclab bench"},
    footer = {"", "Examples:",
        "  ipclab bench --quick",
        "  ipclab bench --quick --json bench.json",
        "  ipclab bench --transport pipe,uds --idle block --payloads 100 --spawns 5"})
final class BenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  LoggingOptions logging;

  @Option(names = "--quick", description = "Short phases (0.2 to 0.4 s warm-up, often too short for the JIT to go"
      + " quiet, 0.3 s per measurement) and 10 spawns unless --spawns says otherwise: the whole default run in under"
      + " a minute.")
  boolean quick;

  @Option(names = "--json", arity = "0..1", paramLabel = "FILE", fallbackValue = "-",
      description = "Write the numbers as JSON to FILE, or to stdout (instead of the table) without FILE.")
  String json;

  @Option(names = "--transport", split = ",", paramLabel = "KIND", converter = PoolOptions.TransportConverter.class,
      description = "Transports to run, comma-separated. Default: all (${COMPLETION-CANDIDATES}).",
      completionCandidates = PoolOptions.TransportConverter.Names.class)
  List<TransportKind> transports;

  @Option(names = "--idle", split = ",", paramLabel = "MODE", converter = PoolOptions.IdleConverter.class,
      description = "Idle modes to run, comma-separated: block, spin. Default: both.")
  List<IdleStrategy> idles;

  @Option(names = "--payloads", split = ",", paramLabel = "BYTES",
      description = "Payload sizes in bytes, comma-separated. Default: 0,100,4096,65536.")
  List<Integer> payloads;

  @Option(names = "--spawns", paramLabel = "N",
      description = "Sequential worker spawns to time. Default: 20, or 10 with --quick.")
  Integer spawns;

  @Override
  public Integer call() throws Exception {
    // The pools' INFO lines (spawned, READY, EXITED) for dozens of workers would bury the progress lines.
    logging.quiet = !logging.verbose;
    logging.apply();
    List<TransportKind> t = transports != null ? transports : Arrays.asList(TransportKind.values());
    List<IdleStrategy> i = idles != null ? idles : IdleStrategy.values();
    List<Integer> p = payloads != null ? payloads : List.of(0, 100, 4096, 65536);
    int n = spawns != null ? spawns : quick ? 10 : 20;
    if (p.stream().anyMatch(b -> b < 0 || b > 16 << 20)) {
      throw new ParameterException(spec.commandLine(), "--payloads must be 0 to 16 MiB each, got " + p);
    }
    if (n < 1 || n > 1000) {
      throw new ParameterException(spec.commandLine(), "--spawns must be 1 to 1000, got " + n);
    }
    BenchSettings settings = quick ? BenchSettings.quick(t, i, p, n) : BenchSettings.full(t, i, p, n);
    BenchReport report = BenchRunner.run(settings, spec.commandLine().getErr());
    PrintWriter out = spec.commandLine().getOut();
    if (json == null) {
      BenchText.print(report, out);
    } else if (json.equals("-")) {
      out.println(BenchJson.write(report));
      out.flush();
    } else {
      Files.writeString(Path.of(json), BenchJson.write(report) + "\n", StandardCharsets.UTF_8);
      BenchText.print(report, out);
    }
    return 0;
  }
}
