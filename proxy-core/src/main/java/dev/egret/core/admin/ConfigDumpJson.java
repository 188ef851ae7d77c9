package dev.egret.core.admin;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.FieldMaskUtil;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code /config_dump}: the runtime's {@code ConfigDump}, secrets redacted ({@link Redactor}), printed
 * as JSON with proto field names and every {@code Any} expanded with its {@code @type}.
 *
 * <p>{@code resource=<field>} answers only the elements of that repeated field of the top-level dumps
 * ({@code static_listeners}, {@code dynamic_active_clusters}…), each packed as its own {@code Any}
 * (404 when no dump has such a field). {@code mask=<paths>} (comma-separated field paths) trims each
 * returned element (400 when a path is not a field of the element type), or each top-level dump when
 * no resource is named (paths a dump type lacks are ignored), keeping its {@code @type}.
 */
final class ConfigDumpJson {
  private static final String TYPE_PREFIX = "type.googleapis.com/";

  private ConfigDumpJson() {}

  static AdminResponse render(Message dump, TypeRegistry extra, String resource, String mask) {
    TypeResolver types = new TypeResolver(extra);
    ConfigDump in;
    try {
      in = dump instanceof ConfigDump cd ? cd : ConfigDump.parseFrom(dump.toByteString());
    } catch (InvalidProtocolBufferException e) {
      return AdminResponse.text(HttpResponseStatus.INTERNAL_SERVER_ERROR,
          "config dump is not an envoy.admin.v3.ConfigDump: " + e.getMessage() + "\n");
    }
    ConfigDump redacted = (ConfigDump) new Redactor(types).redact(in);
    FieldMask fieldMask = mask == null ? null : FieldMaskUtil.fromString(mask);
    ConfigDump.Builder out = ConfigDump.newBuilder();
    boolean found = false;
    for (Any config : redacted.getConfigsList()) {
      DynamicMessage top;
      try {
        top = DynamicMessage.parseFrom(types.forUrl(config.getTypeUrl()), config.getValue());
      } catch (InvalidProtocolBufferException e) {
        out.addConfigs(config);
        continue;
      }
      if (resource == null) {
        out.addConfigs(fieldMask == null ? config : pack(config.getTypeUrl(), trimValid(top, fieldMask)));
        continue;
      }
      FieldDescriptor f = top.getDescriptorForType().findFieldByName(resource);
      if (f == null || !f.isRepeated() || f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      found = true;
      if (fieldMask != null && !FieldMaskUtil.isValid(f.getMessageType(), fieldMask)) {
        return AdminResponse.text(HttpResponseStatus.BAD_REQUEST,
            "FieldMask " + mask + " could not be successfully used.\n");
      }
      for (Object element : (Iterable<?>) top.getField(f)) {
        Message m = (Message) element;
        String url = TYPE_PREFIX + m.getDescriptorForType().getFullName();
        types.forUrl(url);
        out.addConfigs(pack(url, fieldMask == null ? m : trim(m, fieldMask)));
      }
    }
    if (resource != null && !found) {
      return AdminResponse.text(HttpResponseStatus.NOT_FOUND, resource + " not found in config dump\n");
    }
    try {
      TypeRegistry registry = types.registry();
      String json = JsonFormat.printer().usingTypeRegistry(registry).preservingProtoFieldNames().print(out);
      return AdminResponse.json(json + "\n");
    } catch (InvalidProtocolBufferException e) {
      return AdminResponse.text(HttpResponseStatus.INTERNAL_SERVER_ERROR,
          "cannot print config dump: " + e.getMessage() + "\n");
    }
  }

  /** Envoy trims each top-level dump with the paths that exist in its type, ignoring the others. */
  private static Message trimValid(Message m, FieldMask mask) {
    FieldMask.Builder valid = FieldMask.newBuilder();
    for (String path : mask.getPathsList()) {
      if (FieldMaskUtil.isValid(m.getDescriptorForType(), path)) {
        valid.addPaths(path);
      }
    }
    return trim(m, valid.build());
  }

  private static Message trim(Message m, FieldMask mask) {
    Message.Builder b = m.newBuilderForType();
    FieldMaskUtil.merge(mask, m, b);
    return b.build();
  }

  private static Any pack(String typeUrl, Message m) {
    return Any.newBuilder().setTypeUrl(typeUrl).setValue(m.toByteString()).build();
  }
}
