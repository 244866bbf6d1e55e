package dev.ipclab.demos.evidence;

import java.util.List;

/**
 * What the address-space demo measured: a static field in three processes, one virtual address in each worker,
 * and one file in /dev/shm that two workers map shared.
 *
 * @param staticStart the field in the parent, worker-1 and worker-2 once only the parent had set its own
 * @param staticBefore the same once the parent had told both workers to set theirs to its value
 * @param staticAfter the same once worker-1 had changed its copy
 * @param fixed the page every worker mapped at one virtual address; never null
 * @param shm the file two workers mapped shared, or null when there is no writable /dev/shm
 */
public record AddressSpaceEvidence(List<Long> staticStart, List<Long> staticBefore, List<Long> staticAfter,
    FixedAddress fixed, SharedFile shm) implements DemoEvidence {

  /**
   * The one virtual address at which every worker mapped a private page and wrote its pid.
   *
   * @param address the address, or null when every candidate was refused (the demo is then not applicable)
   * @param addressHex the address as {@code 0x…}, or null with it
   * @param attempts the candidate addresses tried, the chosen one included
   * @param values what each worker read back there, in worker order; empty when no address was chosen
   * @param refusals each refused candidate with the workers' errors, e.g. {@code 0x7e1500000000: [EEXIST]}
   */
  public record FixedAddress(Long address, String addressHex, int attempts, List<Long> values,
      List<String> refusals) {}

  /**
   * A file in /dev/shm mapped shared by worker-1 and worker-2, each writing a value the other reads.
   *
   * @param path the file
   * @param written what worker-1 wrote, then what worker-2 wrote
   * @param read what worker-2 read (worker-1's value), then what worker-1 read (worker-2's value)
   * @param mappedAt the virtual address of the mapping in worker-1, then in worker-2
   */
  public record SharedFile(String path, List<Long> written, List<Long> read, List<Long> mappedAt) {}
}
