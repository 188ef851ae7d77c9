package dev.egret.core.accesslog;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A compiled JSON format: a tree of nodes mirroring the configured {@code Struct}. A string value that
 * is exactly one command is rendered typed (numbers as numbers, unset as {@code null}, or dropped with
 * {@code omit_empty_values}); any other string is rendered as a string with unset parts as {@code -}
 * (or nothing with {@code omit_empty_values}). Numbers and booleans in the template are copied.
 * The legacy untyped mode (file logger {@code json_format}) renders every command as a string and
 * unset as {@code "-"}.
 */
final class JsonTemplate {
  private JsonTemplate() {}

  /** A compiled JSON value. */
  interface Node {
    /** Appends the value; returns false, appending nothing, when it is null. */
    boolean write(StreamInfo info, StringBuilder out);
  }

  /** Options fixed at compile time. */
  record Options(boolean typed, boolean omitEmptyValues, boolean sortProperties,
      List<CommandParser> parsers) {}

  static Node compileStruct(Struct struct, Options o, ConfigPath at) {
    List<Map.Entry<String, Value>> entries = new ArrayList<>(struct.getFieldsMap().entrySet());
    if (o.sortProperties()) {
      entries.sort(Map.Entry.comparingByKey());
    }
    String[] keys = new String[entries.size()];
    Node[] values = new Node[entries.size()];
    for (int i = 0; i < keys.length; i++) {
      Map.Entry<String, Value> e = entries.get(i);
      StringBuilder k = new StringBuilder();
      Json.appendString(e.getKey(), k);
      keys[i] = k.append(':').toString();
      values[i] = compileValue(e.getValue(), o, at.field(e.getKey()));
    }
    return new ObjectNode(keys, values, o.omitEmptyValues());
  }

  private static Node compileList(ListValue list, Options o, ConfigPath at) {
    Node[] values = new Node[list.getValuesCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = compileValue(list.getValues(i), o, at.index(i));
    }
    return new ListNode(values, o.omitEmptyValues());
  }

  private static Node compileValue(Value v, Options o, ConfigPath at) {
    switch (v.getKindCase()) {
      case STRING_VALUE:
        return compileString(v.getStringValue(), o, at);
      case STRUCT_VALUE:
        return compileStruct(v.getStructValue(), o, at);
      case LIST_VALUE:
        return compileList(v.getListValue(), o, at);
      case NUMBER_VALUE:
        return new LiteralNode(Json.number(v.getNumberValue()));
      case BOOL_VALUE:
        return new LiteralNode(Boolean.toString(v.getBoolValue()));
      default:
        at.error("access log json_format: only strings, numbers, booleans, nested structs and lists"
            + " are supported, not " + v.getKindCase());
        return new LiteralNode("null");
    }
  }

  private static Node compileString(String s, Options o, ConfigPath at) {
    List<FormatOperator> ops = FormatParser.parse(s, o.parsers(), at);
    if (ops == null) {
      return new LiteralNode("null");
    }
    if (ops.isEmpty()) {
      return new LiteralNode("\"\"");
    }
    if (ops.size() == 1 && ops.get(0) instanceof Literal lit) {
      StringBuilder sb = new StringBuilder();
      Json.appendString(lit.text(), sb);
      return new LiteralNode(sb.toString());
    }
    if (ops.size() == 1) {
      return new SingleNode(ops.get(0), o.typed());
    }
    return new ConcatNode(ops.toArray(new FormatOperator[0]), o.omitEmptyValues() ? "" : "-");
  }

  record LiteralNode(String json) implements Node {
    LiteralNode {
      requireNonNull(json, "json");
    }

    @Override
    public boolean write(StreamInfo info, StringBuilder out) {
      out.append(json);
      return true;
    }
  }

  /** One command as the whole value. */
  record SingleNode(FormatOperator op, boolean typed) implements Node {
    @Override
    public boolean write(StreamInfo info, StringBuilder out) {
      if (typed) {
        return op.appendJson(info, out);
      }
      int mark = out.length();
      out.append('"');
      if (!op.append(info, out)) {
        out.append('-');
      }
      Json.escapeInPlace(out, mark + 1);
      out.append('"');
      return true;
    }
  }

  /** Literals and commands mixed: always a string. */
  record ConcatNode(FormatOperator[] ops, String emptyValue) implements Node {
    @Override
    public boolean write(StreamInfo info, StringBuilder out) {
      int mark = out.length();
      out.append('"');
      for (FormatOperator op : ops) {
        if (!op.append(info, out)) {
          out.append(emptyValue);
        }
      }
      Json.escapeInPlace(out, mark + 1);
      out.append('"');
      return true;
    }
  }

  record ObjectNode(String[] keys, Node[] values, boolean omitEmptyValues) implements Node {
    @Override
    public boolean write(StreamInfo info, StringBuilder out) {
      out.append('{');
      boolean first = true;
      for (int i = 0; i < keys.length; i++) {
        int mark = out.length();
        if (!first) {
          out.append(',');
        }
        out.append(keys[i]);
        if (!values[i].write(info, out)) {
          if (omitEmptyValues) {
            out.setLength(mark);
            continue;
          }
          out.append("null");
        }
        first = false;
      }
      out.append('}');
      return true;
    }
  }

  record ListNode(Node[] values, boolean omitEmptyValues) implements Node {
    @Override
    public boolean write(StreamInfo info, StringBuilder out) {
      out.append('[');
      boolean first = true;
      for (Node value : values) {
        int mark = out.length();
        if (!first) {
          out.append(',');
        }
        if (!value.write(info, out)) {
          if (omitEmptyValues) {
            out.setLength(mark);
            continue;
          }
          out.append("null");
        }
        first = false;
      }
      out.append(']');
      return true;
    }
  }
}
