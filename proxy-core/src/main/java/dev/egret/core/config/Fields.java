package dev.egret.core.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.Map;
import java.util.Set;

/**
 * Rejects the fields of a message that Egret does not implement. Every compiler calls
 * {@link #allowOnly} on each message it reads, listing the fields it honours; any other field that
 * is set becomes an error naming it, so nothing in a configuration is silently ignored.
 */
public final class Fields {
  private Fields() {}

  /**
   * Reports every field set on {@code message} that is not in {@code supported} (proto field names,
   * snake_case).
   *
   * @return true when no unsupported field was set
   */
  public static boolean allowOnly(MessageOrBuilder message, ConfigPath at, Set<String> supported) {
    boolean ok = true;
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      String name = e.getKey().getName();
      if (!supported.contains(name)) {
        at.field(name).error("field '" + name + "' of " + message.getDescriptorForType().getFullName()
            + " is not supported by Egret");
        ok = false;
      }
    }
    return ok;
  }
}
