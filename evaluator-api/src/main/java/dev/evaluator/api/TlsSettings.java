package dev.evaluator.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;

/**
 * HTTPS settings: the port and where the server's private key and certificate chain come from.
 *
 * @param port   port to listen on for HTTPS; 0 picks a free one
 * @param source the files holding the private key and its certificate chain
 */
record TlsSettings(int port, KeySource source) {
    /** Couchbase's HTTPS port for the query and functions service. */
    static final int DEFAULT_PORT = 18093;

    TlsSettings {
        Objects.requireNonNull(source, "source");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--tls-port must be from 0 to 65535, not " + port);
        }
    }

    /** Where the private key and its certificate chain are read from. */
    sealed interface KeySource permits Pem, Pkcs12 {
    }

    /**
     * PEM files.
     *
     * @param cert the certificate chain, the server's certificate first, then any intermediates
     * @param key  the unencrypted private key: PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1 RSA
     */
    record Pem(Path cert, Path key) implements KeySource {
        Pem {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * A PKCS#12 key store holding exactly one private key with its certificate chain.
     *
     * @param keystore the key store file
     * @param password opens the store and the key in it
     */
    record Pkcs12(Path keystore, String password) implements KeySource {
        Pkcs12 {
            Objects.requireNonNull(keystore, "keystore");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Pkcs12[keystore=" + keystore + "]";
        }
    }

    /**
     * Read the private key and its certificate chain, check that they belong together and make the listener's
     * TLS configuration from them.
     *
     * @return the TLS configuration for the HTTPS listener
     * @throws UncheckedIOException with a one-line message naming the file, its flag and what is wrong
     */
    Tls load() {
        ServerKey serverKey = switch (source) {
            case Pem pem -> readPem(pem);
            case Pkcs12 store -> readPkcs12(store);
        };
        try {
            return Tls.builder()
                    .privateKey(serverKey.key())
                    .privateKeyCertChain(serverKey.chain())
                    .build();
        } catch (RuntimeException e) {
            throw failure("cannot set up TLS with " + serverKey.origin() + ": " + reason(e), e);
        }
    }

    /** A private key, its certificate chain (the key's own certificate first) and the files they came from. */
    private record ServerKey(PrivateKey key, List<X509Certificate> chain, String origin) {
    }

    private static ServerKey readPem(Pem pem) {
        List<X509Certificate> chain = read(pem.cert(), "--tls-cert", "certificate chain",
                file -> Keys.builder().pem(it -> it.certChain(Resource.create(file))).build().certChain());
        PrivateKey key = read(pem.key(), "--tls-key", "private key", TlsSettings::readPemKey);
        checkPair(key, chain.getFirst(), "the private key in " + pem.key() + " (--tls-key) does not match the"
                + " first certificate in " + pem.cert() + " (--tls-cert); the server's own certificate must come first");
        return new ServerKey(key, chain, pem.key() + " (--tls-key) and " + pem.cert() + " (--tls-cert)");
    }

    private static PrivateKey readPemKey(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Helidon's own messages for these two name neither the cause nor the cure.
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the key is encrypted, which is not supported; decrypt it with"
                    + " 'openssl pkey -in KEY -out PLAIN_KEY' and keep that file readable only by the server");
        }
        if (text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException("EC keys in the SEC1 form (BEGIN EC PRIVATE KEY) are not supported;"
                    + " convert it to PKCS#8 with 'openssl pkcs8 -topk8 -nocrypt -in KEY -out PKCS8_KEY'");
        }
        return Keys.builder().pem(it -> it.key(Resource.create(file))).build().privateKey()
                .orElseThrow(() -> new IllegalArgumentException("no private key found"));
    }

    /**
     * Read the store with the JDK rather than Helidon's {@code KeystoreKeys}, which only looks under the alias
     * "1" unless told another; keytool names the entry "mykey" or whatever {@code -alias} said.
     */
    private static ServerKey readPkcs12(Pkcs12 source) {
        Path file = source.keystore();
        String where = file + " (--tls-keystore)";
        checkReadable(file, "--tls-keystore");
        char[] password = source.password().toCharArray();
        KeyStore store;
        try {
            store = KeyStore.getInstance(file.toFile(), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw failure("the password in EVALUATOR_TLS_KEYSTORE_PASSWORD does not open the key store "
                        + where, e);
            }
            throw failure("cannot read the PKCS#12 key store " + where + ": " + reason(e), e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw failure(where + " is not a PKCS#12 key store", e);
        }
        try {
            List<String> keyAliases = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keyAliases.add(alias);
                }
            }
            if (keyAliases.size() != 1) {
                throw failure("the key store " + where + " must hold exactly one private key, not "
                        + keyAliases.size() + (keyAliases.isEmpty() ? "" : " (aliases " + keyAliases + ")"), null);
            }
            String alias = keyAliases.getFirst();
            Key key;
            try {
                key = store.getKey(alias, password);
            } catch (UnrecoverableKeyException e) {
                throw failure("the private key '" + alias + "' in " + where
                        + " has a password other than the key store's; give both the same password", e);
            }
            if (!(key instanceof PrivateKey privateKey)) {
                throw failure("the entry '" + alias + "' in " + where + " is not a private key", null);
            }
            Certificate[] certificates = store.getCertificateChain(alias);
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : certificates == null ? new Certificate[0] : certificates) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
            if (chain.isEmpty()) {
                throw failure("the private key '" + alias + "' in " + where + " has no X.509 certificate", null);
            }
            checkPair(privateKey, chain.getFirst(),
                    "the private key '" + alias + "' in " + where + " does not match its certificate");
            return new ServerKey(privateKey, List.copyOf(chain), "the key '" + alias + "' in " + where);
        } catch (GeneralSecurityException e) {
            throw failure("cannot read the key store " + where + ": " + reason(e), e);
        }
    }

    private static <T> T read(Path file, String flag, String what, Function<Path, T> reader) {
        checkReadable(file, flag);
        try {
            return reader.apply(file);
        } catch (RuntimeException e) {
            throw failure("cannot read the TLS " + what + " from " + file + " (" + flag + "): " + reason(e), e);
        }
    }

    private static void checkReadable(Path file, String flag) {
        if (!Files.exists(file)) {
            throw failure(file + " (" + flag + ") does not exist", null);
        }
        if (!Files.isRegularFile(file)) {
            throw failure(file + " (" + flag + ") is not a file", null);
        }
        if (!Files.isReadable(file)) {
            throw failure(file + " (" + flag + ") is not readable by this user", null);
        }
    }

    /**
     * Sign with the key and verify with the certificate: a key file from another certificate would otherwise pass
     * here and fail every handshake later, with nothing in this server's output.
     */
    private static void checkPair(PrivateKey key, X509Certificate cert, String mismatch) {
        Optional<String> algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> Optional.of("SHA256withRSA");
            case "EC" -> Optional.of("SHA256withECDSA");
            case "EdDSA", "Ed25519", "Ed448" -> Optional.of(key.getAlgorithm());
            default -> Optional.empty();
        };
        if (algorithm.isEmpty()) {
            return;
        }
        byte[] probe = "evaluator key check".getBytes(StandardCharsets.UTF_8);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm.get());
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.get());
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw failure(mismatch, null);
        }
    }

    /** The most telling message of a failure: Helidon wraps some in a generic one. */
    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().startsWith("Failed to load"))) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static UncheckedIOException failure(String message, Throwable cause) {
        return new UncheckedIOException(message, new IOException(message, cause));
    }
}
