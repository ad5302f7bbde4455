package org.pentecost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ArgsTest {

  @Test
  void durations() {
    assertThat(Args.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Args.duration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Args.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Args.duration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Args.duration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Args.duration("30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Args.duration("PT45S")).isEqualTo(Duration.ofSeconds(45));
    assertThatThrownBy(() -> Args.duration("soon")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rates() {
    assertThat(Args.rate("500/s")).isEqualTo(500.0);
    assertThat(Args.rate("250")).isEqualTo(250.0);
    assertThat(Args.rate("0")).isZero();
    assertThatThrownBy(() -> Args.rate("-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Args.rate("fast")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sourceAddressCountExpandsFrom127001() {
    assertThat(SourceAddresses.parse("4"))
        .containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4");
    List<String> many = SourceAddresses.parse("300");
    assertThat(many).hasSize(300).doesNotHaveDuplicates();
    assertThat(many.get(254)).isEqualTo("127.0.0.255");
    assertThat(many.get(255)).isEqualTo("127.0.1.0");
    assertThat(SourceAddresses.parse(null)).isEmpty();
    assertThatThrownBy(() -> SourceAddresses.parse("0"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sourceAddressListMustBeLoopback() {
    assertThat(SourceAddresses.parse("127.0.0.1, 127.0.0.9"))
        .containsExactly("127.0.0.1", "127.0.0.9");
    assertThatThrownBy(() -> SourceAddresses.parse("127.0.0.1,10.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.0.0.1");
    assertThatThrownBy(() -> SourceAddresses.parse("127.0.0.300"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void targetsOutsideLoopbackAreRefused() {
    assertThat(Target.parse("http://127.0.0.1:8080")).isEqualTo(new Target("127.0.0.1", 8080));
    assertThat(Target.parse("http://127.1.2.3:9")).isEqualTo(new Target("127.1.2.3", 9));
    assertThat(Target.parse("http://localhost:8080").host()).startsWith("127.");
    assertThatThrownBy(() -> Target.parse("http://example.com:8080"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("127.0.0.0/8");
    assertThatThrownBy(() -> Target.parse("http://192.168.1.10:8080"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Target.parse("https://127.0.0.1:8443"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void connectCommandLineParses() {
    CommandLine cl = BenchMain.commandLine();
    CommandLine.ParseResult parsed =
        cl.parseArgs(
            "connect",
            "--url",
            "http://127.0.0.1:8080",
            "--token",
            "T",
            "--sessions",
            "20",
            "--listeners-per-session",
            "500",
            "--rate",
            "1000/s",
            "--source-addresses",
            "4",
            "--hold",
            "30s",
            "--languages",
            "es,fr",
            "--server-pid",
            "1234");
    ConnectCommand connect = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertThat(connect.common.sessions).isEqualTo(20);
    assertThat(connect.common.listenersPerSession).isEqualTo(500);
    assertThat(connect.common.rate).isEqualTo(1000.0);
    assertThat(connect.common.concurrency).isEqualTo(256);
    assertThat(connect.common.languages).containsExactly("es", "fr");
    assertThat(connect.common.serverPid).isEqualTo(1234L);
    assertThat(connect.common.timeout).isEqualTo(Duration.ofSeconds(120));
    assertThat(connect.hold).isEqualTo(Duration.ofSeconds(30));
    CommonOptions.Validated v = connect.common.validate();
    assertThat(v.target()).isEqualTo(new Target("127.0.0.1", 8080));
    assertThat(v.sourceAddresses()).hasSize(4);
  }

  @Test
  void badArgumentsExitWithUsageError() {
    CommandLine cl = BenchMain.commandLine();
    cl.setOut(new java.io.PrintWriter(java.io.Writer.nullWriter()));
    cl.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
    assertThat(cl.execute("connect", "--url", "http://10.1.1.1:80", "--token", "T")).isEqualTo(2);
    assertThat(cl.execute("connect", "--url", "http://127.0.0.1:80", "--rate", "x")).isEqualTo(2);
    assertThat(cl.execute()).isEqualTo(2);
  }

  @Test
  void planSpreadsListenersOverSessionsAndLanguages() {
    var seq = new ListenerPool.Plan(List.of("a", "b"), 3, List.of("es", "fr"), false);
    assertThat(seq.total()).isEqualTo(6);
    assertThat(List.of(0, 1, 2, 3, 4, 5).stream().map(seq::sessionIndex))
        .containsExactly(0, 0, 0, 1, 1, 1);
    assertThat(List.of(0, 1, 2, 3).stream().map(seq::languageIndex)).containsExactly(0, 1, 0, 0);
    var rr = new ListenerPool.Plan(List.of("a", "b"), 3, List.of("es", "fr"), true);
    assertThat(List.of(0, 1, 2, 3, 4, 5).stream().map(rr::sessionIndex))
        .containsExactly(0, 1, 0, 1, 0, 1);
    assertThat(List.of(0, 1, 2, 3).stream().map(rr::languageIndex)).containsExactly(0, 0, 1, 1);
  }
}
