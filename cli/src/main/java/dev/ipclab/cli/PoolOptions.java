package dev.ipclab.cli;

import dev.ipclab.demos.DemoContext;
import dev.ipclab.parent.WorkerPoolBuilder;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options every command that starts workers shares. */
final class PoolOptions {
  @Option(names = {"-w", "--workers"}, paramLabel = "N", defaultValue = "2",
      description = "Worker processes to start (1-256). Default: ${DEFAULT-VALUE}.")
  int workers;

  @Option(names = {"-t", "--transport"}, paramLabel = "KIND", defaultValue = "pipe",
      converter = TransportConverter.class, completionCandidates = TransportConverter.Names.class,
      description = "How to reach the workers: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  TransportKind transport;

  @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "block", converter = IdleConverter.class,
      description = "How the channel's readers wait: block (sleep in the kernel) or spin (lower latency, busy"
          + " cores). Default: ${DEFAULT-VALUE}.")
  IdleStrategy idle;

  @Option(names = "--max-frame-bytes", paramLabel = "BYTES", defaultValue = "" + Frames.DEFAULT_MAX_FRAME_BYTES,
      description = "Largest frame either side accepts, checked before allocating. Default: ${DEFAULT-VALUE}.")
  int maxFrameBytes;

  @Option(names = "--heartbeat", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
      description = "Heartbeat interval; a worker silent for 5 intervals that is stopped or makes no progress"
          + " is marked HUNG. Default: ${DEFAULT-VALUE}.")
  Duration heartbeat;

  @Option(names = "--keep-logs", description = "Keep the run directory with the workers' logs after exit.")
  boolean keepLogs;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** The pool these options describe; a value the pool refuses is a usage error (status 2), not a crash. */
  WorkerPoolBuilder builder() {
    try {
      return DemoContext.demoPool()
          .workers(workers)
          .transport(transport)
          .idle(idle)
          .maxFrameBytes(maxFrameBytes)
          .heartbeat(heartbeat, heartbeat.multipliedBy(5))
          .keepLogs(keepLogs);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "Invalid option value: " + e.getMessage());
    }
  }

  /** Parses {@code block} or {@code spin}, and says which are valid when the value is not. */
  static final class IdleConverter implements ITypeConverter<IdleStrategy> {
    @Override
    public IdleStrategy convert(String value) {
      try {
        return IdleStrategy.fromCliName(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("expected block or spin but got '" + value + "'");
      }
    }
  }

  /** Parses {@code pipe}, {@code tcp} or {@code uds}, and says which are valid when the value is not. */
  static final class TransportConverter implements ITypeConverter<TransportKind> {
    @Override
    public TransportKind convert(String value) {
      try {
        return TransportKind.fromCliName(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("expected one of pipe, tcp, uds, shm but got '" + value + "'");
      }
    }

    /** The names shown in help. */
    static final class Names implements Iterable<String> {
      @Override
      public java.util.Iterator<String> iterator() {
        return java.util.Arrays.stream(TransportKind.values()).map(TransportKind::cliName).iterator();
      }
    }
  }
}
