package dev.egret.core.admin;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the descriptor of an {@code Any} payload by its type name, for printing and editing a config
 * dump. Looks in the runtime's registry first, then for the generated class of the Envoy API jar
 * (proto package {@code envoy.*} → Java {@code io.envoyproxy.envoy.*}, {@code xds.*} →
 * {@code com.github.xds.*}, {@code udpa.*} → {@code com.github.udpa.udpa.*}, {@code google.protobuf.*}
 * → {@code com.google.protobuf.*}). A type found nowhere gets an empty stand-in descriptor of that
 * name, so the dump still prints, showing its {@code @type} without its content.
 *
 * <p>Not thread-safe: one instance per request.
 */
final class TypeResolver {
  private static final String[][] PACKAGES = {
    {"envoy.", "io.envoyproxy.envoy."},
    {"xds.", "com.github.xds."},
    {"udpa.", "com.github.udpa.udpa."},
    {"google.protobuf.", "com.google.protobuf."},
    {"google.rpc.", "com.google.rpc."},
    {"opentelemetry.proto.", "io.opentelemetry.proto."},
  };

  private final TypeRegistry extra;
  private final Map<String, Descriptor> found = new LinkedHashMap<>();

  TypeResolver(TypeRegistry extra) {
    this.extra = requireNonNull(extra, "extra");
  }

  /** The descriptor for a type URL ({@code type.googleapis.com/envoy.config.listener.v3.Listener}). */
  Descriptor forUrl(String typeUrl) {
    return forName(typeUrl.substring(typeUrl.lastIndexOf('/') + 1));
  }

  Descriptor forName(String fullName) {
    Descriptor d = found.get(fullName);
    if (d == null) {
      d = lookUp(fullName);
      found.put(fullName, d);
    }
    return d;
  }

  /** A registry holding every type resolved so far. */
  TypeRegistry registry() {
    TypeRegistry.Builder b = TypeRegistry.newBuilder();
    found.values().forEach(b::add);
    return b.build();
  }

  private Descriptor lookUp(String fullName) {
    Descriptor d = extra.find(fullName);
    if (d != null) {
      return d;
    }
    for (String[] p : PACKAGES) {
      if (fullName.startsWith(p[0])) {
        d = generated(p[1] + fullName.substring(p[0].length()));
        if (d != null) {
          return d;
        }
      }
    }
    return standIn(fullName);
  }

  /** Tries {@code a.b.C.D} as a top-level class, then as nested classes {@code a.b.C$D}. */
  private static Descriptor generated(String className) {
    String candidate = className;
    while (true) {
      Descriptor d = load(candidate);
      if (d != null) {
        return d;
      }
      int dot = candidate.lastIndexOf('.');
      if (dot < 0) {
        return null;
      }
      candidate = candidate.substring(0, dot) + '$' + candidate.substring(dot + 1);
    }
  }

  private static Descriptor load(String className) {
    try {
      Class<?> c = Class.forName(className, false, TypeResolver.class.getClassLoader());
      if (!Message.class.isAssignableFrom(c)) {
        return null;
      }
      return (Descriptor) c.getMethod("getDescriptor").invoke(null);
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return null;
    }
  }

  private static Descriptor standIn(String fullName) {
    int dot = fullName.lastIndexOf('.');
    FileDescriptorProto file = FileDescriptorProto.newBuilder()
        .setName("egret/unresolved/" + fullName + ".proto")
        .setPackage(dot < 0 ? "" : fullName.substring(0, dot))
        .setSyntax("proto3")
        .addMessageType(DescriptorProto.newBuilder().setName(fullName.substring(dot + 1)))
        .build();
    try {
      return FileDescriptor.buildFrom(file, new FileDescriptor[0]).getMessageTypes().get(0);
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException("not a proto type name: " + fullName, e);
    }
  }
}
