package dev.egret.core.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads Envoy v3 messages (a {@link Bootstrap}, or any resource) from YAML or JSON through protobuf's
 * JSON mapping. Before protobuf sees the document, it is walked against the message descriptors so
 * that an unknown field or an unknown {@code @type} is reported with its full path; protobuf's own
 * parser then checks values. {@code Any} payloads are resolved by type URL from the generated classes
 * on the class path ({@link ProtoTypes}).
 */
public final class BootstrapLoader {
  /** Messages whose {@code name} the compilers put in their errors; the loader does the same. */
  private static final Set<String> NAMED_RESOURCES = Set.of("envoy.config.listener.v3.Listener",
      "envoy.config.cluster.v3.Cluster", "envoy.config.route.v3.RouteConfiguration");
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  private BootstrapLoader() {}

  /** Loads a bootstrap file; YAML unless the name ends in {@code .json}. */
  public static Bootstrap loadFile(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(new ConfigError(file.toString(), "", "cannot read file: " + e));
    }
    return parse(text, file.toString(), Bootstrap.newBuilder()).build();
  }

  /** Parses YAML or JSON text (JSON is YAML) into {@code builder}; {@code source} names the input in errors. */
  public static <B extends Message.Builder> B parse(String text, String source, B builder)
      throws ConfigException {
    JsonElement json = toJson(text, source);
    ConfigPath root = ConfigPath.root("");
    Set<String> typeUrls = new LinkedHashSet<>();
    check(json, builder.getDescriptorForType(), root, typeUrls);
    root.throwIfErrors();
    JsonFormat.TypeRegistry.Builder types = JsonFormat.TypeRegistry.newBuilder();
    for (String url : typeUrls) {
      types.add(ProtoTypes.find(url));
    }
    JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(types.build());
    try {
      parser.merge(GSON.toJson(json), builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      if (json.isJsonObject()) {
        locateBadValues(json.getAsJsonObject(), builder.getDescriptorForType(), root, parser);
        root.throwIfErrors();
      }
      throw new ConfigException(new ConfigError(source, "", "invalid value: " + e.getMessage()));
    }
    return builder;
  }

  /**
   * After protobuf rejected a value somewhere (its message names no field), finds where: parses each
   * field of {@code obj} alone, descends into the ones that fail, and reports the deepest failing
   * fields with their paths.
   */
  private static void locateBadValues(JsonObject obj, Descriptor type, ConfigPath at, JsonFormat.Parser parser) {
    at = named(obj, type, at);
    for (Map.Entry<String, JsonElement> e : obj.entrySet()) {
      JsonObject single = new JsonObject();
      single.add(e.getKey(), e.getValue());
      try {
        parser.merge(GSON.toJson(single), DynamicMessage.newBuilder(type));
        continue;
      } catch (InvalidProtocolBufferException | RuntimeException ex) {
        ConfigPath fieldAt = at.field(e.getKey());
        int before = fieldAt.errorCount();
        FieldDescriptor f = type.findFieldByName(e.getKey());
        if (f == null) {
          f = byJsonName(type, e.getKey());
        }
        if (f != null && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !f.isMapField()) {
          JsonElement v = e.getValue();
          if (f.isRepeated() && v.isJsonArray()) {
            for (int i = 0; i < v.getAsJsonArray().size(); i++) {
              locateIn(v.getAsJsonArray().get(i), f.getMessageType(), fieldAt.index(i), parser);
            }
          } else if (!f.isRepeated()) {
            locateIn(v, f.getMessageType(), fieldAt, parser);
          }
        }
        if (fieldAt.errorCount() == before) {
          fieldAt.error("invalid value: " + ex.getMessage());
        }
      }
    }
  }

  private static void locateIn(JsonElement v, Descriptor type, ConfigPath at, JsonFormat.Parser parser) {
    if (!v.isJsonObject()) {
      return;
    }
    JsonObject obj = v.getAsJsonObject();
    if (type.getFullName().equals("google.protobuf.Any") && obj.has("@type")) {
      Descriptor d = ProtoTypes.find(obj.get("@type").getAsString());
      if (d == null || d.getFullName().startsWith("google.protobuf.")) {
        return;
      }
      obj = obj.deepCopy();
      obj.remove("@type");
      type = d;
    } else if (type.getFullName().startsWith("google.protobuf.")) {
      return;
    }
    locateBadValues(obj, type, at, parser);
  }

  /** {@code at}, naming the resource when {@code obj} is a listener, cluster or route configuration. */
  private static ConfigPath named(JsonObject obj, Descriptor type, ConfigPath at) {
    if (NAMED_RESOURCES.contains(type.getFullName())) {
      JsonElement name = obj.get("name");
      if (name != null && name.isJsonPrimitive()) {
        return at.resource(name.getAsString());
      }
    }
    return at;
  }

  private static JsonElement toJson(String text, String source) throws ConfigException {
    String trimmed = text.stripLeading();
    if (trimmed.startsWith("{")) {
      try {
        return JsonParser.parseString(text);
      } catch (JsonParseException e) {
        throw new ConfigException(new ConfigError(source, "", "malformed JSON: " + e.getMessage()));
      }
    }
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (MarkedYAMLException e) {
      String where = e.getProblemMark() == null ? "" : " at " + lineColumn(e.getProblemMark());
      String context = e.getContext() == null ? "" : " (" + e.getContext()
          + (e.getContextMark() == null ? "" : " that starts at " + lineColumn(e.getContextMark())) + ")";
      throw new ConfigException(new ConfigError(source, "", "malformed YAML" + where + ": " + e.getProblem()
          + context));
    } catch (YAMLException e) {
      throw new ConfigException(new ConfigError(source, "", "malformed YAML: " + e.getMessage()));
    }
    if (doc == null) {
      doc = Map.of();
    }
    if (!(doc instanceof Map)) {
      throw new ConfigException(new ConfigError(source, "", "the document must be a mapping, found "
          + doc.getClass().getSimpleName()));
    }
    return GSON.toJsonTree(stringKeys(doc));
  }

  private static String lineColumn(Mark m) {
    return "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
  }

  /** YAML allows non-string keys and dates; JSON does not. Normalise both to strings. */
  private static Object stringKeys(Object node) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(String.valueOf(e.getKey()), stringKeys(e.getValue()));
      }
      return out;
    }
    if (node instanceof Iterable<?> list) {
      java.util.List<Object> out = new java.util.ArrayList<>();
      for (Object o : list) {
        out.add(stringKeys(o));
      }
      return out;
    }
    if (node instanceof java.util.Date d) {
      return d.toInstant().toString();
    }
    return node;
  }

  private static void check(JsonElement json, Descriptor type, ConfigPath at, Set<String> typeUrls) {
    if (json.isJsonNull()) {
      return;
    }
    String wellKnown = type.getFullName();
    if (wellKnown.equals("google.protobuf.Any")) {
      checkAny(json, at, typeUrls);
      return;
    }
    if (wellKnown.startsWith("google.protobuf.")) {
      return; // Struct, Value, Duration, wrappers...: protobuf's parser checks these
    }
    if (!json.isJsonObject()) {
      at.error("expected an object for " + wellKnown + ", found " + kind(json));
      return;
    }
    at = named(json.getAsJsonObject(), type, at); // errors name the resource, as the compilers' do
    for (Map.Entry<String, JsonElement> e : json.getAsJsonObject().entrySet()) {
      FieldDescriptor f = type.findFieldByName(e.getKey());
      if (f == null) {
        f = byJsonName(type, e.getKey());
      }
      ConfigPath fieldAt = at.field(e.getKey());
      if (f == null) {
        fieldAt.error("unknown field '" + e.getKey() + "' in " + wellKnown);
        continue;
      }
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      JsonElement v = e.getValue();
      if (f.isMapField()) {
        FieldDescriptor valueField = f.getMessageType().findFieldByName("value");
        if (v.isJsonObject() && valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          for (Map.Entry<String, JsonElement> me : v.getAsJsonObject().entrySet()) {
            check(me.getValue(), valueField.getMessageType(), fieldAt.field(me.getKey()), typeUrls);
          }
        }
      } else if (f.isRepeated()) {
        if (v.isJsonArray()) {
          JsonArray arr = v.getAsJsonArray();
          for (int i = 0; i < arr.size(); i++) {
            check(arr.get(i), f.getMessageType(), fieldAt.index(i), typeUrls);
          }
        } else if (!v.isJsonNull()) {
          fieldAt.error("expected a list, found " + kind(v));
        }
      } else {
        check(v, f.getMessageType(), fieldAt, typeUrls);
      }
    }
  }

  private static void checkAny(JsonElement json, ConfigPath at, Set<String> typeUrls) {
    if (!json.isJsonObject()) {
      at.error("expected an object with '@type', found " + kind(json));
      return;
    }
    JsonObject obj = json.getAsJsonObject();
    JsonElement t = obj.get("@type");
    if (t == null || !t.isJsonPrimitive()) {
      at.error("typed_config needs an '@type'");
      return;
    }
    String url = t.getAsString();
    Descriptor d = ProtoTypes.find(url);
    if (d == null) {
      at.field("@type").error("unknown type URL '" + url + "'");
      return;
    }
    typeUrls.add(url);
    JsonObject body = obj.deepCopy();
    body.remove("@type");
    if (d.getFullName().startsWith("google.protobuf.")) {
      return;
    }
    check(body, d, at, typeUrls);
  }

  private static FieldDescriptor byJsonName(Descriptor type, String name) {
    for (FieldDescriptor f : type.getFields()) {
      if (f.getJsonName().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static String kind(JsonElement e) {
    if (e.isJsonArray()) {
      return "a list";
    }
    if (e.isJsonObject()) {
      return "an object";
    }
    return "'" + e + "'";
  }
}
