package dev.ipclab.worker;

import dev.ipclab.proto.v1.JvmFacts;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.shm.ShmChannel;
import dev.ipclab.transport.shm.ShmFile;
import dev.ipclab.transport.stream.StreamTransport;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.protocol.WorkerExitCodes;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/**
 * The worker runtime: guards stdout, reads the settings the pool gave the process, connects to the parent, starts
 * the task modules, says hello and serves until told to shut down or until the parent is gone.
 *
 * <p>The pool starts {@link WorkerMain}, which runs it with the modules found on the class path. A worker with a
 * {@code main} of its own builds it instead, and calls it first thing, before anything can print:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   WorkerRuntime.builder().module(new ImageTasks()).build().runAndExit();
 * }
 * }</pre>
 */
public final class WorkerRuntime {

  private final List<TaskModule> given;
  private final boolean fromClassPath;

  private WorkerRuntime(Builder builder) {
    this.given = List.copyOf(builder.modules);
    this.fromClassPath = builder.fromClassPath;
  }

  /** A runtime with no modules of its own that finds its modules on the class path. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Serves the parent that started this process and exits the JVM with the status: 0 after an orderly shutdown,
   * the others as {@code ipclab} documents them (3 protocol error, 4 rejected, 5 parent gone, 6 bad settings).
   */
  public void runAndExit() {
    // First, before any class can print: fd 1 may carry protocol bytes and nothing else.
    OutputStream protocolOut = StdoutGuard.takeStdout();
    WorkerConfig config;
    try {
      config = WorkerConfig.from(System.getProperties(), System.getenv());
    } catch (WorkerConfig.BadConfigurationException e) {
      System.err.println("ipclab worker: " + e.getMessage());
      System.exit(WorkerExitCodes.BAD_CONFIGURATION);
      return;
    }
    // On its own thread: protobuf's first class creates a logger, so the setup cannot wait until the hello is out,
    // but it can run beside the class path scan for task modules and the connect.
    WorkerLog.startSetup(config.name(), Level.INFO, System.err);
    System.exit(run(config, protocolOut));
  }

  /** The builder's modules, then those the class path names (a ServiceLoader error fails the start). */
  private List<TaskModule> modules() {
    List<TaskModule> modules = new ArrayList<>(given);
    if (fromClassPath) {
      ServiceLoader.load(TaskModule.class).forEach(modules::add);
    }
    return modules;
  }

  /** Serves one session and returns the exit status. */
  private int run(WorkerConfig config, OutputStream protocolOut) {
    Faults faults;
    try {
      faults = Faults.parse(config.fault());
    } catch (IllegalArgumentException e) {
      log().severe(e.getMessage());
      return WorkerExitCodes.BAD_CONFIGURATION;
    }
    if (faults != Faults.NONE) {
      log().warning(() -> "test fault armed: " + faults);
    }
    WorkerSignals.ignoreInterrupt();
    // First, while java.util.logging starts on its thread: this touches no protobuf class, which would wait for it.
    List<TaskModule> found;
    try {
      found = modules();
    } catch (ServiceConfigurationError e) {
      log().log(Level.SEVERE, "the worker's task modules could not be loaded; see the cause below", e);
      return WorkerExitCodes.BAD_CONFIGURATION;
    }
    JvmFacts facts = JvmFactsReader.read();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    // On pipes stdin is the protocol, on shm it is the doorbell: there the transport sees its end of stream itself.
    ParentWatch.start(config.transport() == TransportKind.TCP || config.transport() == TransportKind.UDS, exit);

    SocketConnector connector = null;
    Transport<ParentEnvelope, WorkerEnvelope> transport;
    try {
      if (config.transport() == TransportKind.PIPE) {
        // Fd 0 itself, not System.in: System.in is a BufferedInputStream, which asks available() (a FIONREAD
        // ioctl) after every read that returns less than asked, one system call more per message on a pipe.
        transport = new StreamTransport<>(new FileInputStream(FileDescriptor.in), protocolOut,
            ParentEnvelope.parser(), config.maxFrameBytes(), "parent over stdin/stdout", "ipclab-pipe-reader",
            config.idle());
      } else if (config.transport() == TransportKind.SHM) {
        // The rings are in the file; stdin and stdout only ring doorbells (StdoutGuard keeps System.out off fd 1).
        ShmFile file = ShmFile.open(Path.of(config.connect()));
        transport = ShmChannel.transport(file, ShmChannel.Side.WORKER, config.idle(), System.in, protocolOut,
            ParentEnvelope.parser(), config.maxFrameBytes(), "parent over shm " + file.path(), "ipclab-shm-reader");
      } else {
        connector = new SocketConnector(config);
        transport = connector.connect();
      }
    } catch (Exception e) {
      log().log(Level.SEVERE, "cannot reach the parent over " + config.transport() + " at " + config.connect()
          + "; is the parent still running?", e);
      if (connector != null) {
        connector.close();
      }
      return WorkerExitCodes.PROTOCOL_ERROR;
    }

    WorkerSession session;
    try {
      session = new WorkerSession(config, new CountingTransport(transport), faults, facts, exit, found);
    } catch (RuntimeException | ServiceConfigurationError e) {
      log().log(Level.SEVERE, "the worker's task modules could not start; see the cause below", e);
      transport.close();
      if (connector != null) {
        connector.close();
      }
      return WorkerExitCodes.BAD_CONFIGURATION;
    }
    try {
      session.begin();
    } catch (RuntimeException e) {
      log().log(Level.SEVERE, "could not say hello to the parent over " + transport.describe(), e);
      exit.complete(WorkerExitCodes.PROTOCOL_ERROR);
    }
    int status = exit.join();
    if (status == WorkerExitCodes.PARENT_GONE) {
      // No one is left to talk to or to clean up for: stop now, without the JVM's orderly shutdown.
      log().warning("the parent is gone; halting with status " + status);
      Runtime.getRuntime().halt(status);
    }
    session.stop();
    transport.close();
    if (connector != null && status != WorkerExitCodes.PARENT_GONE) {
      connector.close(); // with the parent gone, exit at once: the event loop threads are daemons anyway
    }
    log().info(() -> "exiting with status " + status + " (" + WorkerExitCodes.meaning(status) + ")");
    return status;
  }

  /** Configures a {@link WorkerRuntime}. Defaults: no modules of its own, the class path's modules loaded. */
  public static final class Builder {
    private final List<TaskModule> modules = new ArrayList<>();
    private boolean fromClassPath = true;

    private Builder() {}

    /** Adds a module, started before those found on the class path. */
    public Builder module(TaskModule module) {
      modules.add(java.util.Objects.requireNonNull(module, "module"));
      return this;
    }

    /**
     * Whether to add the modules listed in {@code META-INF/services/dev.ipclab.worker.TaskModule} on the class path
     * (the built-in kinds echo, sleep and fail among them). Default: true.
     */
    public Builder modulesFromClassPath(boolean load) {
      this.fromClassPath = load;
      return this;
    }

    public WorkerRuntime build() {
      return new WorkerRuntime(this);
    }
  }

  /** Not a field: creating it at class initialization would start java.util.logging on the way to the hello. */
  private static Logger log() {
    return WorkerLog.logger(WorkerRuntime.class);
  }
}
