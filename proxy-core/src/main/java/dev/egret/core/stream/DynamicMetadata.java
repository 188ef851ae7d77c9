package dev.egret.core.stream;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Envoy's dynamic metadata: one {@link Struct} per filter namespace ({@code envoy.filters.http.rbac},
 * {@code envoy.filters.listener.proxy_protocol}, …), written by filters and read by RBAC
 * {@code metadata} matchers, the access log ({@code %DYNAMIC_METADATA(ns:key)%}) and CEL.
 *
 * <p>A stream's metadata has its connection's as {@link #parent()}: listener filters (PROXY protocol
 * TLVs) write at connection level, HTTP filters at stream level, and a lookup of a namespace merges
 * the two with the stream's keys winning. Not thread-safe: owned by one event loop.
 */
public final class DynamicMetadata {
  private final DynamicMetadata parent; // nullable
  private Map<String, Struct> namespaces; // lazily made

  public DynamicMetadata(DynamicMetadata parent) {
    this.parent = parent;
  }

  public static DynamicMetadata forConnection() {
    return new DynamicMetadata(null);
  }

  public DynamicMetadata parent() {
    return parent;
  }

  /** The namespace's fields (connection's merged under the stream's), or null when neither has any. */
  public Struct get(String namespace) {
    Struct own = namespaces == null ? null : namespaces.get(namespace);
    Struct inherited = parent == null ? null : parent.get(namespace);
    if (own == null) {
      return inherited;
    }
    if (inherited == null) {
      return own;
    }
    return inherited.toBuilder().putAllFields(own.getFieldsMap()).build();
  }

  /** Merges {@code fields} into the namespace: keys present in {@code fields} replace older ones. */
  public void merge(String namespace, Struct fields) {
    requireNonNull(namespace, "namespace");
    requireNonNull(fields, "fields");
    if (namespaces == null) {
      namespaces = new LinkedHashMap<>(2);
    }
    namespaces.merge(namespace, fields, (a, b) -> a.toBuilder().putAllFields(b.getFieldsMap()).build());
  }

  /** This level's namespaces (not the parent's), in the order first written. */
  public Map<String, Struct> own() {
    return namespaces == null ? Map.of() : Collections.unmodifiableMap(namespaces);
  }
}
