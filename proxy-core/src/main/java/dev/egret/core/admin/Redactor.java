package dev.egret.core.admin;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hides secrets before a config dump leaves the process, as Envoy does: every field marked
 * {@code (udpa.annotations.sensitive) = true} (private keys, HMAC secrets, tokens…), and everything
 * below it, has its strings and bytes replaced by {@code [redacted]} and its other scalars cleared.
 * {@code Any} payloads are opened (types resolved by {@link TypeResolver}), redacted and packed again,
 * so secrets inside {@code typed_config} are hidden too. Messages with nothing to hide are returned as
 * the same instance.
 */
final class Redactor {
  static final String REDACTED = "[redacted]";
  private static final String ANY = "google.protobuf.Any";

  private final TypeResolver types;

  Redactor(TypeResolver types) {
    this.types = requireNonNull(types, "types");
  }

  Message redact(Message m) {
    return redact(m, false);
  }

  private Message redact(Message m, boolean sensitiveAncestor) {
    if (m.getDescriptorForType().getFullName().equals(ANY)) {
      return redactAny(m, sensitiveAncestor);
    }
    Message.Builder b = null;
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      boolean sensitive = sensitiveAncestor || isSensitive(f);
      if (sensitive && f.getJavaType() != FieldDescriptor.JavaType.MESSAGE
          && f.getJavaType() != FieldDescriptor.JavaType.STRING
          && f.getJavaType() != FieldDescriptor.JavaType.BYTE_STRING) {
        b = b == null ? m.toBuilder() : b;
        b.clearField(f);
        continue;
      }
      Object v = e.getValue();
      Object nv;
      if (f.isRepeated()) {
        List<?> in = (List<?>) v;
        List<Object> out = new ArrayList<>(in.size());
        boolean changed = false;
        for (Object o : in) {
          Object r = value(f, o, sensitive);
          changed |= r != o;
          out.add(r);
        }
        nv = changed ? out : v;
      } else {
        nv = value(f, v, sensitive);
      }
      if (nv != v) {
        b = b == null ? m.toBuilder() : b;
        b.setField(f, nv);
      }
    }
    return b == null ? m : b.build();
  }

  private Object value(FieldDescriptor f, Object v, boolean sensitive) {
    switch (f.getJavaType()) {
      case MESSAGE:
        return redact((Message) v, sensitive);
      case STRING:
        return sensitive ? REDACTED : v;
      case BYTE_STRING:
        return sensitive ? ByteString.copyFromUtf8(REDACTED) : v;
      default:
        return v;
    }
  }

  private Message redactAny(Message any, boolean sensitive) {
    Descriptor d = any.getDescriptorForType();
    FieldDescriptor urlField = d.findFieldByName("type_url");
    FieldDescriptor valueField = d.findFieldByName("value");
    String url = (String) any.getField(urlField);
    if (url.isEmpty()) {
      return any;
    }
    Message inner;
    try {
      inner = DynamicMessage.parseFrom(types.forUrl(url), (ByteString) any.getField(valueField));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      return any;
    }
    Message r = redact(inner, sensitive);
    return r == inner ? any : any.toBuilder().setField(valueField, r.toByteString()).build();
  }

  private static boolean isSensitive(FieldDescriptor f) {
    return f.getOptions().getExtension(udpa.annotations.Sensitive.sensitive);
  }
}
