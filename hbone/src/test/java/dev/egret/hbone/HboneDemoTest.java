package dev.egret.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class HboneDemoTest {
  @Test
  void theDemoCallerTunnelsToTheExternalHostAndTheLogNamesItsSpiffeId() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new HboneDemo().run(new PrintStream(bytes, true, StandardCharsets.UTF_8), TestPki.newCa("demo CA"),
        Files.createTempDirectory("egret-hbone-demo"));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("== HBONE: a mesh workload (" + HboneDemo.CALLER + ")")
        .contains("-> HTTP/1.1 200 OK  hello from httpbin.org")
        .containsPattern("log: \\[[^]]+\\] \"CONNECT httpbin.org:80 HTTP/2\" 200 \\S+ \\d+ \\d+ \\d+ peer="
            + HboneDemo.CALLER.replace(".", "\\.") + " cluster=httpbin upstream=127\\.0\\.0\\.1:\\d+");
  }
}
