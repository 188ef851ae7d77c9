package dev.egret.core.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the descriptor of a message named in a type URL ({@code type.googleapis.com/envoy.…}) among
 * the generated classes on the class path. The Envoy api jar names its Java packages after the proto
 * packages with a fixed prefix, so no registry of every type has to be built up front.
 */
public final class ProtoTypes {
  private static final String[][] PREFIXES = {
    {"envoy.", "io.envoyproxy."},
    {"xds.", "com.github."},
    {"udpa.", "com.github.udpa."},
    {"google.protobuf.", "com."},
    {"google.rpc.", "com."},
  };
  private static final Map<String, Descriptor> CACHE = new ConcurrentHashMap<>();

  private ProtoTypes() {}

  /** The full proto name in a type URL: everything after the last '/'. */
  public static String typeName(String typeUrl) {
    int slash = typeUrl.lastIndexOf('/');
    return slash < 0 ? typeUrl : typeUrl.substring(slash + 1);
  }

  /** The descriptor for a type URL or full message name, or null when no such class is present. */
  public static Descriptor find(String typeUrlOrName) {
    String name = typeName(typeUrlOrName);
    Descriptor cached = CACHE.get(name);
    if (cached != null) {
      return cached;
    }
    for (String[] p : PREFIXES) {
      if (name.startsWith(p[0])) {
        Descriptor d = load(p[1] + name);
        if (d != null) {
          CACHE.put(name, d);
          return d;
        }
      }
    }
    return null;
  }

  private static Descriptor load(String className) {
    try {
      Class<?> c = Class.forName(className, false, ProtoTypes.class.getClassLoader());
      if (!Message.class.isAssignableFrom(c)) {
        return null;
      }
      return (Descriptor) c.getMethod("getDescriptor").invoke(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
