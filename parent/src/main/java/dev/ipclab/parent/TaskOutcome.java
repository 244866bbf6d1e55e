package dev.ipclab.parent;

import dev.ipclab.proto.v1.TaskResult;

/**
 * A task that succeeded: its result, and where it finally ran.
 *
 * @param attempts how many times the task was sent to a worker, from 1 (more when workers died under it)
 * @param workerId the slot of the worker that answered
 * @param workerPid the pid of the worker process that answered
 */
public record TaskOutcome(long taskId, TaskResult result, int attempts, int workerId, long workerPid) {}
