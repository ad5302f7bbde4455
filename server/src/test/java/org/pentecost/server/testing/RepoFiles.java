package org.pentecost.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository (deploy/, docs/...), found from wherever a test runs. */
public final class RepoFiles {
  private RepoFiles() {}

  /** The repository's file {@code relative} (e.g. {@code deploy/prometheus/alerts.yml}). */
  public static Path find(String relative) {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path f = d.resolve(relative);
      if (Files.exists(f) && Files.isRegularFile(d.resolve("pom.xml"))) {
        return f;
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
