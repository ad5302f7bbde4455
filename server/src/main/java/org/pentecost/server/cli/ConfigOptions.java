package org.pentecost.server.cli;

import java.nio.file.Path;
import org.pentecost.server.config.ConfigLoader;
import org.pentecost.server.config.PentecostConfig;
import picocli.CommandLine.Option;

/** Options every command that reads the configuration shares. */
final class ConfigOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML config file (env PENTECOST_CONFIG).",
      defaultValue = "${env:PENTECOST_CONFIG}")
  Path config;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory (env PENTECOST_SERVER_DATA_DIR; default ./data).")
  Path dataDir;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "dev, staging or prod (env PENTECOST_PROFILE; default dev).")
  String profile;

  ConfigLoader loader() {
    return new ConfigLoader()
        .file(config)
        .env(System.getenv())
        .flag("server.dataDir", dataDir)
        .flag("profile", profile);
  }

  PentecostConfig load() {
    return loader().load();
  }
}
