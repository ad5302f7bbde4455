package org.pentecost.server.cli;

import org.pentecost.server.logging.BufferedConsoleAppender;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pentecost serve | token | version}. */
@Command(
    name = "pentecost",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Live multilingual audio broadcast sessions.",
    subcommands = {ServeCommand.class, TokenCommand.class, VersionCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    // One-shot commands keep stdout for their answer; only `serve` logs to stdout.
    if (args.length == 0 || !args[0].equals("serve")) {
      System.setProperty("pentecost.log.target", "System.err");
    }
    int code =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  cmd.getErr().println("error: " + e.getMessage());
                  return 2;
                })
            .execute(args);
    if (code != 0 || args.length == 0 || !args[0].equals("serve")) {
      BufferedConsoleAppender.flushAll();
      System.exit(code);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
