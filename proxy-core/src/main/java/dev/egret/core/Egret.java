package dev.egret.core;

import dev.egret.core.accesslog.LogSummary;
import dev.egret.core.config.BootstrapLoader;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code egret} command.
 *
 * <pre>
 * egret                      run on the embedded default configuration
 * egret -c FILE              run on an Envoy v3 bootstrap (YAML or JSON)
 * egret validate FILE        check a bootstrap; exit 0, or list every error and exit 1
 * egret demo                 replay the scenarios against local demo upstreams
 * egret logs FILE|-          summarise an access log (Envoy default, Istio text or JSON lines)
 * egret --version | --help
 * </pre>
 */
public final class Egret {
  static final String DEFAULT_CONFIG = "/dev/egret/core/default-config.yaml";

  private Egret() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code >= 0) {
      System.exit(code);
    }
  }

  /**
   * Runs the command; returns the exit status, or -1 when a server was started and keeps running
   * until it is told to stop (the JVM then exits by itself).
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> a = List.of(args);
    if (a.contains("--help") || a.contains("-h")) {
      out.print(usage());
      return 0;
    }
    if (a.contains("--version")) {
      out.println(versionLine());
      return 0;
    }
    if (!a.isEmpty() && a.get(0).equals("validate")) {
      if (a.size() != 2) {
        err.println("usage: egret validate FILE");
        return 2;
      }
      return validate(Path.of(a.get(1)), out, err);
    }
    if (!a.isEmpty() && a.get(0).equals("logs")) {
      if (a.size() != 2) {
        err.println("usage: egret logs FILE|-");
        return 2;
      }
      return LogSummary.run(a.get(1), System.in, out, err);
    }
    if (!a.isEmpty() && a.get(0).equals("demo")) {
      return Demo.run(out, err);
    }
    String configFile = null;
    for (int i = 0; i < a.size(); i++) {
      String s = a.get(i);
      if ((s.equals("-c") || s.equals("--config")) && i + 1 < a.size()) {
        configFile = a.get(++i);
      } else if (s.startsWith("--config=")) {
        configFile = s.substring("--config=".length());
      } else {
        err.println("egret: unknown argument '" + s + "'\n");
        err.print(usage());
        return 2;
      }
    }
    try {
      Bootstrap bootstrap = configFile == null ? defaultBootstrap() : BootstrapLoader.loadFile(Path.of(configFile));
      EgretServer server = EgretServer.start(bootstrap);
      out.println("egret " + version() + " (" + Transports.name() + ") running "
          + (configFile == null ? "the embedded default configuration" : configFile));
      server.printEndpoints(out);
      if (configFile == null) {
        out.println("try:  curl -i -H 'Host: admin.egret.local' http://127.0.0.1:10000/ready");
        out.println("      (the request passes through Egret to its admin server; its access-log line follows)");
      }
      CountDownLatch stopped = new CountDownLatch(1);
      server.onStop(stopped::countDown);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "egret-shutdown"));
      stopped.await();
      server.close();
      return 0;
    } catch (ConfigException e) {
      printErrors(e, err);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      err.println("egret: " + e.getMessage());
      return 1;
    }
  }

  static int validate(Path file, PrintStream out, PrintStream err) {
    try {
      Bootstrap b = BootstrapLoader.loadFile(file);
      EgretServer.Compiled c = EgretServer.compileOnly(b);
      out.println("OK: " + file + " (" + c.listeners() + " listeners, " + c.clusters() + " clusters)");
      return 0;
    } catch (ConfigException e) {
      err.println("egret: " + file + " is not valid (" + e.errors().size() + " error"
          + (e.errors().size() == 1 ? "" : "s") + "):");
      printErrors(e, err);
      return 1;
    }
  }

  static void printErrors(ConfigException e, PrintStream err) {
    for (ConfigError error : e.errors()) {
      err.println("  " + error);
    }
  }

  /** The embedded default configuration. */
  public static Bootstrap defaultBootstrap() throws ConfigException {
    try (InputStream in = Egret.class.getResourceAsStream(DEFAULT_CONFIG)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DEFAULT_CONFIG);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return BootstrapLoader.parse(text, "embedded default configuration", Bootstrap.newBuilder()).build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String version() {
    String v = Egret.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  static String versionLine() {
    Version netty = Version.identify().get("netty-common");
    Throwable whyNotEpoll = Transports.epollUnavailabilityCause();
    return "egret " + version() + " (netty " + (netty == null ? "?" : netty.artifactVersion())
        + ", transport " + Transports.name() + ", java " + Runtime.version() + ")"
        + (whyNotEpoll == null ? "" : "\n  epoll not used: " + whyNotEpoll);
  }

  static String usage() {
    return "usage: egret [-c FILE]            run (default: the embedded default configuration)\n"
        + "       egret validate FILE         check an Envoy v3 bootstrap (YAML or JSON)\n"
        + "       egret demo                  replay the Egret scenarios against local upstreams\n"
        + "       egret logs FILE|-           summarise an access log (Envoy, Istio text or JSON lines)\n"
        + "       egret --version | --help\n"
        + "\n"
        + "  -c, --config FILE   Envoy v3 Bootstrap in YAML or JSON\n"
        + "  EGRET_JAVA_OPTS     extra JVM options for the ./egret launcher\n";
  }
}
