package org.pentecost.server.cli;

import org.pentecost.server.util.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code pentecost version}: prints the version. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Runnable {
  @Override
  public void run() {
    System.out.println("pentecost " + Version.get());
  }

  /** Answers {@code pentecost --version}. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"pentecost " + Version.get()};
    }
  }
}
