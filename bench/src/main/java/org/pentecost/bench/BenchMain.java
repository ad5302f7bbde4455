package org.pentecost.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pentecost-bench}: the load generator's entry point. */
@Command(
    name = "pentecost-bench",
    mixinStandardHelpOptions = true,
    versionProvider = BenchMain.Version.class,
    description = "Load generator for a Pentecost server on this machine (127.0.0.0/8 only).",
    subcommands = {
      ConnectCommand.class,
      FanoutCommand.class,
      BackendCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BenchMain implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand (try: connect --help, fanout --help)");
  }

  /** The command line, ready to execute; tests parse with it. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new BenchMain());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BenchMain.class.getPackage().getImplementationVersion();
      return new String[] {"pentecost-bench " + (v == null ? "dev" : v)};
    }
  }
}
