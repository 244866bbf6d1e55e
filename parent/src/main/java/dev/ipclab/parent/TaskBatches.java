package dev.ipclab.parent;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool's batched calls, {@link WorkerPool#submitAll} and {@link WorkerPool#map}: many tasks submitted with
 * one decision pass and one write per worker, and their outcomes gathered in input order.
 */
final class TaskBatches {
  private TaskBatches() {}

  /** Submits every spec, in order; the handles come back in the same order. */
  static List<TaskHandle> submitAll(TaskRouter router, List<TaskSpec> specs) throws InterruptedException {
    List<TaskHandle> handles = new ArrayList<>(specs.size());
    router.submitAll(List.copyOf(specs), handles);
    return handles;
  }

  /**
   * Runs one task of {@code kind} per input and completes with the parsed outputs in input order. The first
   * failure fails the whole future as it is and cancels the tasks still running; cancelling the future cancels
   * them all.
   */
  static <R extends Message> CompletableFuture<List<R>> map(TaskRouter router, String kind,
      List<? extends Message> inputs, Parser<R> parser) throws InterruptedException {
    List<TaskSpec> specs = new ArrayList<>(inputs.size());
    for (Message input : inputs) {
      specs.add(TaskSpec.of(kind, input.toByteString()));
    }
    List<TaskHandle> handles = submitAll(router, specs);
    CompletableFuture<List<R>> all = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReferenceArray<R> results =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(handles.size());
    AtomicInteger left = new AtomicInteger(handles.size());
    if (handles.isEmpty()) {
      all.complete(List.of());
    }
    for (int i = 0; i < handles.size(); i++) {
      int at = i;
      handles.get(i).outcome().whenComplete((outcome, error) -> {
        if (error != null) {
          all.completeExceptionally(error); // the first failure, as it is; later ones change nothing
          return;
        }
        try {
          results.set(at, outcome.value(parser));
        } catch (RuntimeException e) {
          all.completeExceptionally(e);
          return;
        }
        if (left.decrementAndGet() == 0) {
          List<R> ordered = new ArrayList<>(results.length());
          for (int k = 0; k < results.length(); k++) {
            ordered.add(results.get(k));
          }
          all.complete(java.util.Collections.unmodifiableList(ordered));
        }
      });
    }
    all.whenComplete((value, error) -> {
      if (error != null) {
        String why = all.isCancelled() ? "the caller cancelled the map's future"
            : "another task of its map failed: " + error.getMessage();
        for (TaskHandle h : handles) {
          h.cancel(why);
        }
      }
    });
    return all;
  }
}
