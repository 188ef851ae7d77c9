package dev.egret.filters.rbac;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Function;

/**
 * What RBAC policies see of one request: the request line and headers (after the connection
 * manager's path normalisation), the downstream addresses, TLS facts and the metadata / filter-state
 * lookups. Built once per request (by {@link RbacFilter} from the filter callbacks, or by tests) and
 * read by every matcher; matchers never allocate against it.
 *
 * <p>HTTP/1 form, as Egret keeps requests: {@code :authority} is the {@code host} header,
 * {@code :path} the request target with its query, {@code :method} the method. A CONNECT request
 * whose target is not a path has no {@code :path} (null), as in Envoy.
 */
public final class RbacRequest {
  private final String method;
  private final String authority; // nullable
  private final String path; // nullable: the request target, query included
  private final String pathNoQuery; // nullable: the path without query and fragment
  private final String scheme;
  private final HttpHeaders headers;
  private final InetSocketAddress localAddress; // nullable
  private final InetSocketAddress sourceAddress; // nullable
  private final InetSocketAddress directRemoteAddress; // nullable
  private final InetSocketAddress remoteAddress; // nullable
  private final String requestedServerName; // nullable
  private final boolean tls;
  private final List<String> peerUriSans;
  private final List<String> peerDnsSans;
  private final String peerSubject; // nullable
  private final Function<String, Struct> dynamicMetadata;
  private final Function<String, String> filterState;
  private final String protocol; // nullable
  private final long startEpochMillis; // -1 when unknown
  private final String routeName; // nullable
  private final String virtualHostName; // nullable
  private final String localUriSan; // nullable
  private RbacCelActivation celActivation; // built on first CEL use; one per request, one thread

  private RbacRequest(Builder b) {
    this.protocol = b.protocol;
    this.startEpochMillis = b.startEpochMillis;
    this.routeName = b.routeName;
    this.virtualHostName = b.virtualHostName;
    this.localUriSan = b.localUriSan;
    this.method = requireNonNull(b.method, "method");
    this.headers = requireNonNull(b.headers, "headers");
    this.authority = b.authority;
    this.path = b.path;
    this.pathNoQuery = b.path == null ? null : stripQuery(b.path);
    this.scheme = b.scheme;
    this.localAddress = b.localAddress;
    this.sourceAddress = b.sourceAddress;
    this.directRemoteAddress = b.directRemoteAddress;
    this.remoteAddress = b.remoteAddress;
    this.requestedServerName = b.requestedServerName;
    this.tls = b.tls;
    this.peerUriSans = List.copyOf(b.peerUriSans);
    this.peerDnsSans = List.copyOf(b.peerDnsSans);
    this.peerSubject = b.peerSubject;
    this.dynamicMetadata = b.dynamicMetadata;
    this.filterState = b.filterState;
  }

  public static Builder builder(String method, HttpHeaders headers) {
    return new Builder(method, headers);
  }

  private static String stripQuery(String p) {
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '?' || c == '#') {
        return p.substring(0, i);
      }
    }
    return p;
  }

  String method() {
    return method;
  }

  String authority() {
    return authority;
  }

  String path() {
    return path;
  }

  String pathNoQuery() {
    return pathNoQuery;
  }

  String scheme() {
    return scheme;
  }

  HttpHeaders headers() {
    return headers;
  }

  InetSocketAddress localAddress() {
    return localAddress;
  }

  InetSocketAddress sourceAddress() {
    return sourceAddress;
  }

  InetSocketAddress directRemoteAddress() {
    return directRemoteAddress;
  }

  InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  String requestedServerName() {
    return requestedServerName;
  }

  boolean tls() {
    return tls;
  }

  List<String> peerUriSans() {
    return peerUriSans;
  }

  List<String> peerDnsSans() {
    return peerDnsSans;
  }

  String peerSubject() {
    return peerSubject;
  }

  String protocol() {
    return protocol;
  }

  long startEpochMillis() {
    return startEpochMillis;
  }

  String routeName() {
    return routeName;
  }

  String virtualHostName() {
    return virtualHostName;
  }

  String localUriSan() {
    return localUriSan;
  }

  /** The CEL view of this request (attribute values computed on demand), made once. */
  RbacCelActivation celActivation() {
    RbacCelActivation a = celActivation;
    if (a == null) {
      a = new RbacCelActivation(this);
      celActivation = a;
    }
    return a;
  }

  /** The dynamic metadata of one filter namespace, or null. */
  Struct dynamicMetadata(String namespace) {
    return dynamicMetadata.apply(namespace);
  }

  /** A filter-state object's string form, or null when absent. */
  String filterState(String key) {
    return filterState.apply(key);
  }

  /** Builds a request view; every field but the method and headers is optional. */
  public static final class Builder {
    private final String method;
    private final HttpHeaders headers;
    private String authority;
    private String path;
    private String scheme = "http";
    private InetSocketAddress localAddress;
    private InetSocketAddress sourceAddress;
    private InetSocketAddress directRemoteAddress;
    private InetSocketAddress remoteAddress;
    private String requestedServerName;
    private boolean tls;
    private List<String> peerUriSans = List.of();
    private List<String> peerDnsSans = List.of();
    private String peerSubject;
    private Function<String, Struct> dynamicMetadata = ns -> null;
    private Function<String, String> filterState = k -> null;
    private String protocol;
    private long startEpochMillis = -1;
    private String routeName;
    private String virtualHostName;
    private String localUriSan;

    private Builder(String method, HttpHeaders headers) {
      this.method = requireNonNull(method, "method");
      this.headers = requireNonNull(headers, "headers");
    }

    public Builder authority(String v) {
      authority = v;
      return this;
    }

    /** The request target with its query ({@code :path}); null for none. */
    public Builder path(String v) {
      path = v;
      return this;
    }

    public Builder scheme(String v) {
      scheme = requireNonNull(v, "scheme");
      return this;
    }

    /** Downstream local address ({@code destination_ip}, {@code destination_port}). */
    public Builder localAddress(InetSocketAddress v) {
      localAddress = v;
      return this;
    }

    /**
     * Sets the connection's remote address ({@code source_ip}), and also the direct and effective
     * remote addresses unless they are set separately afterwards.
     */
    public Builder sourceAddress(InetSocketAddress v) {
      sourceAddress = v;
      directRemoteAddress = v;
      remoteAddress = v;
      return this;
    }

    /** The physical peer ({@code direct_remote_ip}). */
    public Builder directRemoteAddress(InetSocketAddress v) {
      directRemoteAddress = v;
      return this;
    }

    /** The remote address after XFF / PROXY protocol ({@code remote_ip}). */
    public Builder remoteAddress(InetSocketAddress v) {
      remoteAddress = v;
      return this;
    }

    public Builder requestedServerName(String v) {
      requestedServerName = v;
      return this;
    }

    public Builder tls(boolean v) {
      tls = v;
      return this;
    }

    public Builder peerUriSans(List<String> v) {
      peerUriSans = requireNonNull(v, "peerUriSans");
      return this;
    }

    public Builder peerDnsSans(List<String> v) {
      peerDnsSans = requireNonNull(v, "peerDnsSans");
      return this;
    }

    public Builder peerSubject(String v) {
      peerSubject = v;
      return this;
    }

    /** Dynamic metadata by filter namespace; the function returns null for none. */
    public Builder dynamicMetadata(Function<String, Struct> v) {
      dynamicMetadata = requireNonNull(v, "dynamicMetadata");
      return this;
    }

    /** Filter-state string values by key; the function returns null for none. */
    public Builder filterState(Function<String, String> v) {
      filterState = requireNonNull(v, "filterState");
      return this;
    }

    /** {@code request.protocol} for CEL ({@code HTTP/1.1}, {@code HTTP/2}). */
    public Builder protocol(String v) {
      protocol = v;
      return this;
    }

    /** {@code request.time} for CEL: when the request started, in epoch milliseconds. */
    public Builder startEpochMillis(long v) {
      startEpochMillis = v;
      return this;
    }

    /** {@code xds.route_name} and {@code xds.virtual_host_name} for CEL; either may be null. */
    public Builder route(String routeName, String virtualHostName) {
      this.routeName = routeName;
      this.virtualHostName = virtualHostName;
      return this;
    }

    /** Our certificate's URI SAN ({@code connection.uri_san_local_certificate}). */
    public Builder localUriSan(String v) {
      localUriSan = v;
      return this;
    }

    public RbacRequest build() {
      return new RbacRequest(this);
    }
  }
}
