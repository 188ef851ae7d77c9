package dev.egret.container;

import dev.egret.controller.ControllerMain;
import dev.egret.core.Egret;
import java.util.Arrays;
import java.util.List;

/**
 * The distribution's entry point: {@code egret controller ...} runs the waypoint controller
 * ({@link ControllerMain}); anything else is Egret's own command line ({@link Egret}).
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("controller")) {
      List<String> rest = Arrays.asList(args).subList(1, args.length);
      String version = Egret.version();
      System.exit(ControllerMain.run(rest, System.getenv(), "egret:" + version, System.err));
    }
    Egret.main(args);
  }
}
