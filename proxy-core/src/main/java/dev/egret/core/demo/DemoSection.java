package dev.egret.core.demo;

import dev.egret.core.testing.TestPki;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * A part of {@code egret demo} that another module brings (the {@code hbone} module's HBONE caller),
 * found with {@link ServiceLoader} so that proxy-core's demo needs no module above it. Sections run
 * after the built-in scenarios, in class-path order, each printing its requests beside the access-log
 * lines they produced.
 */
public interface DemoSection {
  /**
   * Runs the section.
   *
   * @param out where the demo prints
   * @param ca  the demo's certificate authority (for the section's own certificates)
   * @param dir a scratch directory for files (certificates, logs)
   */
  void run(PrintStream out, TestPki.Ca ca, Path dir) throws Exception;

  /** The sections on the class path. */
  static Iterable<DemoSection> load() {
    return ServiceLoader.load(DemoSection.class);
  }
}
