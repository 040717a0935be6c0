package dev.evaluator.store.etcd;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach an etcd cluster and where in it the store lives.
 *
 * @param endpoints       the client URLs of some or all members ({@code http://host:2379}, or {@code https://} with
 *                        TLS); the client fails over between them
 * @param prefix          the key prefix every record of this store is under; starts and ends with {@code /}
 *                        (default {@code /evaluator/}). Stores with different prefixes share a cluster without
 *                        seeing each other's records
 * @param user            the etcd user to authenticate as, when etcd's authentication is on
 * @param password        that user's password; present exactly when the user is
 * @param caFile          a PEM file of the certificate authorities to trust for {@code https://} endpoints; the
 *                        JVM's default trust store when empty
 * @param connectTimeout  how long to wait for a connection to a member
 * @param requestTimeout  how long one operation may take before the store reports etcd unavailable; each request
 *                        waits at most half of it, and one that found no member able to answer is sent again while
 *                        time is left (a write that timed out may still have been applied)
 * @param maxRequestBytes the cluster's {@code --max-request-bytes} (etcd 3.4's default is 1.5 MiB): a write that
 *                        cannot fit is refused before it is sent, with reason {@code TOO_LARGE}
 */
public record EtcdOptions(List<URI> endpoints,
                          String prefix,
                          Optional<String> user,
                          Optional<String> password,
                          Optional<Path> caFile,
                          Duration connectTimeout,
                          Duration requestTimeout,
                          int maxRequestBytes) {
    /** The key prefix when none is given. */
    public static final String DEFAULT_PREFIX = "/evaluator/";
    /** etcd 3.4's default {@code --max-request-bytes}: 1.5 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1536 * 1024;
    /** Connection timeout when none is given. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** Request timeout when none is given. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Check and copy the fields.
     *
     * @throws IllegalArgumentException if there is no endpoint, an endpoint is not an {@code http} or {@code https}
     *                                  URL with a host and port, the prefix does not start and end with {@code /},
     *                                  only one of user and password is given, a timeout is not positive, or the
     *                                  request limit is under 64 KiB
     * @throws NullPointerException     if a field is null
     */
    public EtcdOptions {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("At least one etcd endpoint is needed");
        }
        for (URI endpoint : endpoints) {
            boolean web = "http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme());
            if (!web || endpoint.getHost() == null || endpoint.getPort() < 0) {
                throw new IllegalArgumentException("An etcd endpoint is an http:// or https:// URL with a host and a"
                        + " port, like http://127.0.0.1:2379; not " + endpoint);
            }
        }
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.length() < 2 || !prefix.startsWith("/") || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("The etcd key prefix starts and ends with '/', like "
                    + DEFAULT_PREFIX + "; not '" + prefix + "'");
        }
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("Give both an etcd user and its password, or neither");
        }
        Objects.requireNonNull(caFile, "caFile");
        requirePositive(connectTimeout, "connect");
        requirePositive(requestTimeout, "request");
        if (maxRequestBytes < 64 * 1024) {
            throw new IllegalArgumentException("The etcd request size limit must be at least 64 KiB, not "
                    + maxRequestBytes + " bytes");
        }
    }

    /**
     * Options for a cluster with the defaults: prefix {@code /evaluator/}, no authentication, the JVM's trust store,
     * 3 s to connect, 5 s a request, and etcd's default request limit of 1.5 MiB.
     *
     * @param endpoints the members' client URLs
     * @return the options
     * @throws IllegalArgumentException as the constructor
     */
    public static EtcdOptions create(List<URI> endpoints) {
        return new EtcdOptions(endpoints, DEFAULT_PREFIX, Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_REQUEST_BYTES);
    }

    /**
     * These options with another key prefix.
     *
     * @param prefix the prefix, starting and ending with {@code /}
     * @return the new options
     * @throws IllegalArgumentException if the prefix breaks its rule
     */
    public EtcdOptions withPrefix(String prefix) {
        return new EtcdOptions(endpoints, prefix, user, password, caFile, connectTimeout, requestTimeout,
                maxRequestBytes);
    }

    /**
     * These options authenticating as an etcd user.
     *
     * @param user     the user
     * @param password its password
     * @return the new options
     * @throws NullPointerException if either is null
     */
    public EtcdOptions withCredentials(String user, String password) {
        return new EtcdOptions(endpoints, prefix, Optional.of(user), Optional.of(password), caFile, connectTimeout,
                requestTimeout, maxRequestBytes);
    }

    /**
     * These options trusting the certificate authorities of a PEM file for {@code https://} endpoints.
     *
     * @param caFile the PEM file
     * @return the new options
     * @throws NullPointerException if it is null
     */
    public EtcdOptions withCaFile(Path caFile) {
        return new EtcdOptions(endpoints, prefix, user, password, Optional.of(caFile), connectTimeout,
                requestTimeout, maxRequestBytes);
    }

    /**
     * These options with other timeouts.
     *
     * @param connectTimeout how long to wait for a connection
     * @param requestTimeout how long one request may take
     * @return the new options
     * @throws IllegalArgumentException if a timeout is not positive
     */
    public EtcdOptions withTimeouts(Duration connectTimeout, Duration requestTimeout) {
        return new EtcdOptions(endpoints, prefix, user, password, caFile, connectTimeout, requestTimeout,
                maxRequestBytes);
    }

    /**
     * These options for a cluster started with another {@code --max-request-bytes}.
     *
     * @param maxRequestBytes the cluster's limit
     * @return the new options
     * @throws IllegalArgumentException if it is under 64 KiB
     */
    public EtcdOptions withMaxRequestBytes(int maxRequestBytes) {
        return new EtcdOptions(endpoints, prefix, user, password, caFile, connectTimeout, requestTimeout,
                maxRequestBytes);
    }

    @Override
    public String toString() {
        // Never the password.
        return "EtcdOptions[endpoints=" + endpoints + ", prefix=" + prefix + ", user=" + user.orElse("(none)")
                + ", caFile=" + caFile.map(Path::toString).orElse("(default)") + ", connectTimeout="
                + connectTimeout + ", requestTimeout=" + requestTimeout + ", maxRequestBytes=" + maxRequestBytes
                + "]";
    }

    private static void requirePositive(Duration timeout, String which) {
        Objects.requireNonNull(timeout, which + "Timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("The etcd " + which + " timeout must be positive, not " + timeout);
        }
    }
}
