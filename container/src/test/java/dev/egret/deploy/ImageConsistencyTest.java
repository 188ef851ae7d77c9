package dev.egret.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps the two image recipes in step without building either: the daemonless build-image.sh (umoci)
 * and the Dockerfile must give the same user, entrypoint, environment, ports, labels and files, and
 * the JVM options they share must be options this JVM accepts.
 */
class ImageConsistencyTest {

  private static final Path CONTAINER = Path.of("").toAbsolutePath();

  @Test
  void dockerfileAndUmociConfigDeclareTheSameUserEntrypointEnvPortsAndLabels() throws IOException {
    ImageSpec script = ImageSpec.fromBuildImageScript(read("build-image.sh"));
    ImageSpec docker = ImageSpec.fromDockerfile(read("Dockerfile"));

    assertThat(script.user()).isEqualTo("65532:65532");
    assertThat(docker.user()).isEqualTo(script.user());
    assertThat(script.entrypoint())
        .containsExactly("/opt/egret/runtime/bin/java", "@/opt/egret/conf/jvm.options", "-jar",
            "/opt/egret/lib/egret.jar");
    assertThat(docker.entrypoint()).isEqualTo(script.entrypoint());
    assertThat(docker.env()).isEqualTo(script.env()).containsEntry("HOME", "/home/nonroot");
    assertThat(docker.workdir()).isEqualTo(script.workdir());
    assertThat(docker.ports()).isEqualTo(script.ports()).contains("15008/tcp");
    assertThat(docker.labelKeys()).isEqualTo(script.labelKeys())
        .contains("org.opencontainers.image.version", "org.opencontainers.image.source",
            "org.opencontainers.image.revision");
  }

  @Test
  void bothRecipesShipTheSameFilesFromTheDistribution() throws IOException {
    String docker = read("Dockerfile");
    String script = read("build-image.sh");
    for (String file : List.of("runtime", "lib/egret.jar", "conf/jvm.options")) {
      assertThat(docker).as("Dockerfile copies %s", file).contains("target/dist/" + file);
      assertThat(script).as("build-image.sh copies %s", file).contains("$dist/" + file);
    }
    assertThat(docker).contains("image/make-rootfs.sh /rootfs");
    assertThat(script).contains("image/make-rootfs.sh\"");
  }

  @Test
  void jvmOptionsAreAcceptedByTheJvmAndUsedByEveryLauncher() throws Exception {
    List<String> options = Files.readAllLines(CONTAINER.resolve("dist/jvm.options")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
    assertThat(options).allMatch(o -> o.startsWith("-")).doesNotHaveDuplicates()
        .contains("-XX:+ExitOnOutOfMemoryError").anyMatch(o -> o.startsWith("-XX:MaxRAMPercentage="));
    assertThat(read("dist/egret")).contains("\"@$here/conf/jvm.options\"");

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "@" + CONTAINER.resolve("dist/jvm.options"), "-version")
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("java -version finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void jlinkModulesKeepWhatNettyAndTlsNeedAtRunTime() throws IOException {
    List<String> modules = Files.readAllLines(CONTAINER.resolve("dist/modules.txt")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
    assertThat(modules).contains("java.base", "jdk.unsupported", "jdk.crypto.ec", "jdk.naming.dns",
        "java.naming", "jdk.management").doesNotHaveDuplicates();
    assertThat(modules).as("modules this JDK can link")
        .allMatch(m -> java.lang.module.ModuleFinder.ofSystem().find(m).isPresent());
  }

  @Test
  void baseLayerHasTheUnprivilegedUserAndNoShell() throws IOException {
    assertThat(read("image/etc/passwd")).contains("nonroot:x:65532:65532:");
    assertThat(read("image/etc/group")).contains("nonroot:x:65532:");
    List<String> packages = Files.readAllLines(CONTAINER.resolve("image/packages.txt")).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toList());
    assertThat(packages).containsExactlyInAnyOrder("libc6", "libgcc-s1", "libstdc++6", "zlib1g");
    assertThat(read("image/make-rootfs.sh")).contains("\"$rootfs/bin\"", "\"$rootfs/usr/bin\"");
  }

  private static String read(String relative) throws IOException {
    return Files.readString(CONTAINER.resolve(relative));
  }

  /** The parts of an image config both recipes set. */
  record ImageSpec(String user, List<String> entrypoint, Map<String, String> env, String workdir,
      List<String> ports, List<String> labelKeys) {

    private static final Pattern FLAG = Pattern.compile("--config\\.([a-z]+) (\"[^\"]*\"|\\S+)");

    static ImageSpec fromBuildImageScript(String script) {
      String user = null;
      String workdir = null;
      List<String> entry = new ArrayList<>();
      Map<String, String> env = new LinkedHashMap<>();
      List<String> ports = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      Matcher m = FLAG.matcher(script);
      while (m.find()) {
        String value = m.group(2).replaceAll("^\"|\"$", "");
        switch (m.group(1)) {
          case "user": user = value; break;
          case "workingdir": workdir = value; break;
          case "entrypoint": entry.add(value); break;
          case "env": env.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1)); break;
          case "exposedports": ports.add(value); break;
          case "label": labels.add(value.substring(0, value.indexOf('='))); break;
          default: break;
        }
      }
      return new ImageSpec(user, entry, env, workdir, ports, labels);
    }

    static ImageSpec fromDockerfile(String dockerfile) {
      String joined = dockerfile.replaceAll("\\\\\\n\\s*", " ");
      String finalStage = joined.substring(joined.lastIndexOf("\nFROM "));
      String user = null;
      String workdir = null;
      List<String> entry = new ArrayList<>();
      Map<String, String> env = new LinkedHashMap<>();
      List<String> ports = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      for (String line : finalStage.split("\n")) {
        String[] kv = line.strip().split("\\s+", 2);
        if (kv.length < 2) {
          continue;
        }
        switch (kv[0]) {
          case "USER": user = kv[1]; break;
          case "WORKDIR": workdir = kv[1]; break;
          case "ENTRYPOINT":
            Matcher q = Pattern.compile("\"([^\"]*)\"").matcher(kv[1]);
            while (q.find()) {
              entry.add(q.group(1));
            }
            break;
          case "ENV":
            for (String pair : kv[1].split("\\s+")) {
              env.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
            break;
          case "EXPOSE": ports.addAll(List.of(kv[1].split("\\s+"))); break;
          case "LABEL":
            Matcher l = Pattern.compile("([a-z][\\w.-]*)=\"").matcher(kv[1]);
            while (l.find()) {
              labels.add(l.group(1));
            }
            break;
          default: break;
        }
      }
      return new ImageSpec(user, entry, env, workdir, ports, labels);
    }
  }
}
