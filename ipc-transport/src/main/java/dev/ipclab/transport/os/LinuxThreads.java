package dev.ipclab.transport.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * What Linux knows about the calling thread, by FFM downcalls: its thread id ({@code gettid(2)}), the number that
 * {@code /proc/<pid>/task/<tid>}, {@code ps -L} and {@code top -H} show (Java's own thread ids are not), and the
 * CPU it runs on.
 */
public final class LinuxThreads {
  private static final MethodHandle GETTID = Linker.nativeLinker().defaultLookup().find("gettid")
      .map(symbol -> Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT)))
      .orElse(null);
  private static final MethodHandle SCHED_GETCPU = Linker.nativeLinker().defaultLookup().find("sched_getcpu")
      .map(symbol -> Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT)))
      .orElse(null);

  private LinuxThreads() {}

  /** The CPU the calling thread is running on right now ({@code sched_getcpu(3)}), or -1 if unknown. */
  public static int currentCpu() {
    if (SCHED_GETCPU == null) {
      return -1;
    }
    try {
      return (int) SCHED_GETCPU.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException("sched_getcpu() failed", e);
    }
  }

  /** This thread's kernel thread id, or -1 where {@code gettid} is not available (glibc before 2.30). */
  public static long currentTid() {
    if (GETTID == null) {
      return -1;
    }
    try {
      return (int) GETTID.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException("gettid() failed", e);
    }
  }
}
