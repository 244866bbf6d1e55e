package dev.ipclab.demos.evidence;

/**
 * The numbers one demo run measured and its verdict rests on: one record per demo, read by the plain-words
 * summary, the JSON ({@code evidence}, each component under its snake_case name) and the HTML report's charts.
 *
 * <p>A component a run did not get to measure (a demo that stopped early as "not applicable") is null, or an
 * empty list or map; each record says which of its components can be.
 */
public sealed interface DemoEvidence permits AddressSpaceEvidence, ThreadsShareEvidence, ThreadStatesEvidence,
    ParallelismEvidence, CreationCostEvidence, CoroutinesEvidence, AsyncIoEvidence, WebServerEvidence {}
