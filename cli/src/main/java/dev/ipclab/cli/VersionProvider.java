package dev.ipclab.cli;

import dev.ipclab.transport.protocol.Protocol;
import picocli.CommandLine.IVersionProvider;

/** Reports the ipclab build, the protocol revision and the Java it runs on. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = IpclabCommand.class.getPackage().getImplementationVersion();
    return new String[] {
      "ipclab " + (version != null ? version : "(development build)"),
      "protocol revision " + Protocol.VERSION,
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }
}
