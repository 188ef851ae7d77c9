package dev.egret.filters.cel;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.cel.expr.Expr;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives every node of a parsed expression a distinct id when the producer left them unset or
 * repeated (hand-written {@code condition}s often carry none), since the checker keys types by id.
 * Well-formed expressions from a CEL parser are returned unchanged.
 */
final class ExprIds {
  private ExprIds() {}

  /** True when the ids are distinct and non-zero. */
  static boolean distinct(Expr e) {
    return collect(e, new HashSet<>());
  }

  private static boolean collect(Message m, Set<Long> seen) {
    if (m instanceof Expr e && (e.getId() == 0 || !seen.add(e.getId()))) {
      return false;
    }
    for (var entry : m.getAllFields().entrySet()) {
      if (entry.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      for (Object child : entry.getKey().isRepeated() ? (List<?>) entry.getValue() : List.of(entry.getValue())) {
        if (!collect((Message) child, seen)) {
          return false;
        }
      }
    }
    return true;
  }

  /** A copy with ids 1, 2, 3 … in pre-order. */
  static Expr renumber(Expr e) {
    return (Expr) renumber(e, new long[] {0});
  }

  private static Message renumber(Message m, long[] next) {
    Message.Builder b = m.toBuilder();
    if (b instanceof Expr.Builder eb) {
      eb.setId(++next[0]);
    }
    for (var entry : m.getAllFields().entrySet()) {
      FieldDescriptor f = entry.getKey();
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.isRepeated()) {
        List<?> list = (List<?>) entry.getValue();
        for (int i = 0; i < list.size(); i++) {
          b.setRepeatedField(f, i, renumber((Message) list.get(i), next));
        }
      } else {
        b.setField(f, renumber((Message) entry.getValue(), next));
      }
    }
    return b.build();
  }
}
