package dev.ipclab.cli;

import dev.ipclab.demos.Demo;
import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoJson;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.DemoText;
import dev.ipclab.demos.Demos;
import dev.ipclab.demos.Verdict;
import dev.ipclab.demos.trace.ChromeTraceWriter;
import dev.ipclab.demos.trace.TraceRecorder;
import dev.ipclab.transport.log.ProcessLog;
import dev.ipclab.transport.TransportKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ipclab demo}: runs one experiment, or all of them, and prints what was measured and concluded. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run a measured experiment on real worker processes and threads. Each prints the claim, the"
        + " prediction, the measurements, a verdict computed from them, and OS commands to check it yourself.",
        "Exit status: 0 when every claim holds (or cannot be tested on this machine), 1 when one does not hold"
            + " or a demo failed, 2 for a usage error."},
    footer = {"", "Demos: address-space, threads-share, thread-states, creation-cost, parallelism, coroutines,"
        + " async-io, web-server", "", "Examples:",
        "  ipclab demo all",
        "  ipclab demo coroutines --detail",
        "  ipclab demo address-space --transport uds --keep",
        "  ipclab demo all --json > results.json",
        "  ipclab demo all --report ipclab-report.html"})
final class DemoCommand implements Callable<Integer> {
  private static final Logger log = Logger.getLogger(DemoCommand.class.getName());

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", completionCandidates = DemoNames.class,
      description = "'all', or one of: ${COMPLETION-CANDIDATES}.")
  String name;

  @Option(names = {"-t", "--transport"}, paramLabel = "KIND", defaultValue = "pipe",
      converter = PoolOptions.TransportConverter.class,
      completionCandidates = PoolOptions.TransportConverter.Names.class,
      description = "How the parent talks to the demo's workers: ${COMPLETION-CANDIDATES}."
          + " Default: ${DEFAULT-VALUE}.")
  TransportKind transport;

  @Option(names = "--json", description = "Print the results as JSON: an object for one demo, an array for all.")
  boolean json;

  @Option(names = "--detail", description = "Print every table, check, note and command of each demo; by default"
      + " each prints the claim, the prediction, the table that proves it, the key checks and what it shows.")
  boolean detail;

  @Option(names = "--report", paramLabel = "FILE", description = "Also write the results as one self-contained HTML"
      + " page with a chart per demo to FILE; it loads nothing, so it opens offline.")
  java.nio.file.Path report;

  @Option(names = "--keep", description = "Keep the processes up after the run, so the commands under 'Check it"
      + " yourself' can be run; Ctrl-C stops them.")
  boolean keep;

  @Option(names = "--trace", paramLabel = "FILE", description = "Also write the run's timeline to FILE in the"
      + " Chrome Trace Event format, for https://ui.perfetto.dev or chrome://tracing.")
  Path traceFile;

  @Option(names = {"-v", "--verbose"}, description = "Log what the parent and pool do (INFO) on stderr.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    List<Demo> demos;
    try {
      demos = name.equals("all") ? Demos.all() : List.of(Demos.find(name));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    // The demo's own output is the point; the pool's lifecycle lines only with --verbose.
    ProcessLog.init("parent", verbose ? Level.INFO : Level.WARNING, System.err);
    PrintWriter out = spec.commandLine().getOut();
    // Progress is for the person waiting; stdout holds the results alone, so it can be saved and read later.
    PrintWriter progress = spec.commandLine().getErr();
    List<DemoResult> results = new ArrayList<>();
    List<DemoContext> kept = new ArrayList<>();
    TraceRecorder trace = new TraceRecorder();
    try (StopSignal signal = new StopSignal(Duration.ofSeconds(30))) {
      try {
        for (int i = 0; i < demos.size() && !signal.requested(); i++) {
          Demo demo = demos.get(i);
          String step = demos.size() > 1 ? "[" + (i + 1) + "/" + demos.size() + "] " : "";
          progress.println(step + demo.name() + ": " + demo.claim());
          if (!demo.usesTransport() && spec.commandLine().getParseResult().hasMatchedOption("--transport")) {
            progress.println("    (--transport does not apply: " + demo.name() + " measures every transport)");
          }
          progress.flush();
          DemoContext context = DemoContext.standard(transport, line -> {
            progress.println("    … " + line);
            progress.flush();
          }, trace);
          DemoResult result;
          try {
            result = runOne(demo, context);
          } finally {
            // Even when the demo died of an Error: its files and processes must not outlive the command.
            if (keep) {
              kept.add(context);
            } else {
              context.close();
            }
          }
          results.add(result);
          if (!json) {
            out.print(DemoText.render(result, keep, detail));
            out.flush();
          }
        }
        if (json) {
          out.println(demos.size() == 1 && results.size() == 1 ? DemoJson.write(results.get(0))
              : DemoJson.write(results));
        } else {
          if (demos.size() > 1) {
            out.print(DemoText.summary(results));
          }
          if (!detail) {
            // "with --keep" precedes every command: say once what it does
            out.println("  --detail prints every table, check and note; --json all of it; --keep keeps the"
                + " processes up.");
          }
        }
        out.flush();
        if (traceFile != null) {
          ChromeTraceWriter.write(trace, traceFile);
          spec.commandLine().getErr().println("Trace written to " + traceFile + " (open it in"
              + " https://ui.perfetto.dev or chrome://tracing)");
          spec.commandLine().getErr().flush();
        }
        if (report != null) {
          java.nio.file.Files.writeString(report, dev.ipclab.demos.report.HtmlReport.render(results));
          spec.commandLine().getErr().println("Report written to " + report.toAbsolutePath());
          spec.commandLine().getErr().flush();
        }
        if (keep && !kept.isEmpty() && !signal.requested()) {
          out.println("The processes are kept up; press Ctrl-C to stop them.");
          out.flush();
          signal.await(Duration.ofDays(365));
        }
      } finally {
        // Inside the signal's scope: a Ctrl-C hook must wait for this cleanup (files, pools), not race it.
        kept.forEach(DemoContext::close);
      }
    }
    boolean bad = results.size() < demos.size() || results.stream().anyMatch(r ->
        r.verdict().outcome() == Verdict.Outcome.FAILS || r.verdict().outcome() == Verdict.Outcome.ERROR);
    return bad ? 1 : 0;
  }

  /** Runs a demo; if it breaks, the result says so, and the next demo still runs. */
  private DemoResult runOne(Demo demo, DemoContext context) {
    try {
      return demo.run(context);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(demo, "interrupted");
    } catch (Exception e) {
      log.log(Level.FINE, demo.name() + " failed", e);
      return failed(demo, e.getMessage() != null ? e.getMessage() : e.toString());
    }
  }

  private DemoResult failed(Demo demo, String why) {
    return DemoResult.builder(demo)
        .prediction("(the demo did not get far enough to measure)")
        .transport(demo.usesTransport() ? transport.cliName() : null)
        .build(Verdict.error(why));
  }

  /** The names shown in help and completion. */
  static final class DemoNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      List<String> names = new ArrayList<>(Demos.names());
      names.add(0, "all");
      return names.iterator();
    }
  }
}
