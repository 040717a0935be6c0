package dev.evaluator.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A server certificate for {@code localhost} and {@code 127.0.0.1}, made at test time with the JDK's keytool (the
 * one beside the running java), in the forms the server reads.
 *
 * @param keystore    a PKCS#12 store holding only the server's key and chain, opened by {@code password}
 * @param password    the store's password
 * @param certPem     the chain the server sends, as PEM: its own certificate first, then any intermediate
 * @param keyPem      the private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY})
 * @param trustAnchor what a client must trust: the certificate itself when self-signed, else the root
 */
record TestCertificate(Path keystore, String password, Path certPem, Path keyPem, X509Certificate trustAnchor) {
    static final String PASSWORD = "test-keystore-password";
    private static final List<String> EC_KEY = List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2");
    private static final String SERVER_NAMES = "san=dns:localhost,ip:127.0.0.1";

    /** A self-signed certificate in {@code dir}. */
    static TestCertificate selfSigned(Path dir) throws IOException, GeneralSecurityException, InterruptedException {
        Path generated = generatedStore(dir);
        keytool(generated, "server", "-dname", "CN=localhost", "-ext", SERVER_NAMES);
        return export(dir, generated);
    }

    /** A certificate issued by an intermediate issued by a root, in {@code dir}; clients trust only the root. */
    static TestCertificate issuedByIntermediate(Path dir)
            throws IOException, GeneralSecurityException, InterruptedException {
        Path generated = generatedStore(dir);
        keytool(generated, "root", "-dname", "CN=Evaluator Test Root", "-ext", "bc:c");
        keytool(generated, "intermediate", "-dname", "CN=Evaluator Test Intermediate",
                "-ext", "bc:c=ca:true,pathlen:0", "-signer", "root");
        keytool(generated, "server", "-dname", "CN=localhost", "-ext", SERVER_NAMES, "-signer", "intermediate");
        return export(dir, generated);
    }

    /** A TLS context that trusts this certificate's anchor and nothing else. */
    SSLContext trustingContext() throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("anchor", trustAnchor);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** PEM text of one DER-encoded object. */
    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path generatedStore(Path dir) throws IOException {
        return Files.createDirectories(dir).resolve("generated.p12");
    }

    private static void keytool(Path store, String alias, String... options)
            throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        List<String> command = new ArrayList<>(List.of(java.resolveSibling("keytool").toString(), "-genkeypair",
                "-alias", alias, "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
        command.addAll(EC_KEY);
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("keytool failed: " + command + "\n" + output);
        }
    }

    /**
     * Keep only the server's entry, under an alias that is neither keytool's default nor Helidon's ("1"), so the
     * server must find the key by itself; and write the PEM files.
     */
    private static TestCertificate export(Path dir, Path generated)
            throws IOException, GeneralSecurityException {
        char[] password = PASSWORD.toCharArray();
        KeyStore all = KeyStore.getInstance(generated.toFile(), password);
        PrivateKey key = (PrivateKey) all.getKey("server", password);
        Certificate[] chain = all.getCertificateChain("server");
        X509Certificate anchor = (X509Certificate) chain[chain.length - 1];

        KeyStore single = KeyStore.getInstance("PKCS12");
        single.load(null, null);
        single.setKeyEntry("evaluator-server", key, password, chain);
        Path keystore = dir.resolve("server.p12");
        try (OutputStream out = Files.newOutputStream(keystore)) {
            single.store(out, password);
        }

        // A server sends its chain without the root, which clients have already.
        List<Certificate> sent = chain.length == 1 ? List.of(chain) : List.of(chain).subList(0, chain.length - 1);
        StringBuilder certs = new StringBuilder();
        for (Certificate certificate : sent) {
            certs.append(pem("CERTIFICATE", certificate.getEncoded()));
        }
        Path certPem = Files.writeString(dir.resolve("cert.pem"), certs);
        Path keyPem = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));
        return new TestCertificate(keystore, PASSWORD, certPem, keyPem, anchor);
    }
}
