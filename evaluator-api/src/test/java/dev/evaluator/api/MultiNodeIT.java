package dev.evaluator.api;

import dev.evaluator.store.etcd.EtcdMembers;
import dev.evaluator.store.etcd.EtcdOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several evaluator nodes on one 3-member etcd cluster, each a real server: what is written through one is served by
 * the others (libraries, calls, SQL++ functions, users), the delete guard holds when raced from two nodes, a node
 * killed under write load loses no acknowledged write, and the nodes ride out etcd members going and coming back.
 */
class MultiNodeIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String FORM = "application/x-www-form-urlencoded";
    /** Generous for a loaded test machine; bench/propagation.sh measures the real figure (ms). */
    private static final Duration SOON = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private static EtcdMembers etcd;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdMembers.start(dir.resolve("etcd"), 3);
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static String prefix(TestInfo test) {
        return "/multi/" + test.getTestMethod().orElseThrow().getName() + "/";
    }

    private static TestServer node(EtcdOptions options, String name) {
        return TestServer.startOnEtcd(dir.resolve(name + "-" + System.nanoTime()), options, name);
    }

    @Test
    void writtenOnOne_servedByTheOthers(TestInfo test) {
        EtcdOptions options = etcd.options(prefix(test));
        try (TestServer a = node(options, "a"); TestServer b = node(options, "b"); TestServer c = node(options, "c")) {
            a.admin().body("function f2c(f) { return (5/9)*(f-32); }")
                    .post(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);
            assertEquals(100.0, invoke(b, "/science/functions/f2c/invoke?bucket=travel-sample&scope=inventory",
                    "{\"args\":[212]}").jsonPath().getDouble("result"), 1e-9);
            c.admin().get(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);

            FunctionsIT.query(a.admin(), "CREATE FUNCTION celsius(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT"
                    + " \"travel-sample/inventory/science\"", "default:`travel-sample`.inventory")
                    .then().statusCode(200);
            await(() -> {
                Response executed = FunctionsIT.query(b.admin(), "EXECUTE FUNCTION celsius(212)",
                        "default:`travel-sample`.inventory");
                return executed.statusCode() == 200
                        && ((Number) executed.jsonPath().getList("results").getFirst()).doubleValue() == 100.0;
            }, "EXECUTE on b of a function created on a");
            await(() -> FunctionsIT.query(c.admin(), "SELECT RAW meta().id FROM system:functions", null)
                    .jsonPath().getList("results").contains("default:travel-sample.inventory.celsius"),
                    "system:functions on c");

            // A replacement is served by the others, compiled anew: no reload.
            a.admin().body("function f2c(f) { return 'replaced'; }")
                    .post(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);
            await(() -> "replaced".equals(invoke(b, "/science/functions/f2c/invoke?bucket=travel-sample"
                    + "&scope=inventory", "{\"args\":[1]}").jsonPath().getString("result")), "the new code on b");

            // The guard sees the binding made on a when the delete comes through c.
            c.admin().delete(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(409);
            FunctionsIT.query(b.admin(), "DROP FUNCTION celsius", "default:`travel-sample`.inventory")
                    .then().statusCode(200);
            c.admin().delete(LIBS + "/science?bucket=travel-sample&scope=inventory").then().statusCode(200);
            await(() -> a.admin().get(LIBS + "/science?bucket=travel-sample&scope=inventory").statusCode() == 404,
                    "the delete seen on a");

            // Each node counts its own calls, and says which node it is.
            JsonPath stats = b.admin().get(StatsService.PATH).then().statusCode(200).extract().jsonPath();
            assertEquals("b", stats.getString("node"));
        }
    }

    @Test
    void usersAcrossNodes_createdLogInElsewhere_changesAndDeletesStopEverywhere(TestInfo test) {
        EtcdOptions options = etcd.options(prefix(test));
        try (TestServer a = node(options, "a"); TestServer b = node(options, "b")) {
            a.admin().contentType(FORM).body("password=alice-pass-1&roles=admin")
                    .put(UserService.PATH + "/local/alice").then().statusCode(200);
            await(() -> as(b, "alice", "alice-pass-1").get(WhoAmIService.PATH).statusCode() == 200,
                    "alice logs in on b");

            a.admin().contentType(FORM).body("password=alice-pass-2&roles=admin")
                    .put(UserService.PATH + "/local/alice").then().statusCode(200);
            await(() -> as(b, "alice", "alice-pass-1").get(WhoAmIService.PATH).statusCode() == 401,
                    "the old password refused on b");
            as(b, "alice", "alice-pass-2").get(WhoAmIService.PATH).then().statusCode(200);

            a.admin().delete(UserService.PATH + "/local/alice").then().statusCode(200);
            await(() -> as(b, "alice", "alice-pass-2").get(WhoAmIService.PATH).statusCode() == 401,
                    "the deleted user refused on b");
        }
    }

    /**
     * A CREATE FUNCTION through one node and a DELETE of its library through another, at once, many rounds: never a
     * function bound to a missing library (the etcd transaction's compare, not a lock of either process, decides).
     */
    @Test
    void guardRacedFromTwoNodes_neverLeavesAFunctionWithoutItsLibrary(TestInfo test) throws Exception {
        EtcdOptions options = etcd.options(prefix(test));
        int rounds = 25;
        try (TestServer a = node(options, "a"); TestServer b = node(options, "b");
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            int bothWon = 0;
            for (int round = 0; round < rounds; round++) {
                String lib = "lib" + round;
                a.admin().body("function f() { return 1; }").post(LIBS + "/" + lib).then().statusCode(200);
                CountDownLatch go = new CountDownLatch(1);
                Future<Integer> create = pool.submit(() -> {
                    go.await();
                    return FunctionsIT.query(a.admin(), "CREATE FUNCTION fn" + lib + "() LANGUAGE JAVASCRIPT AS"
                            + " \"f\" AT \"" + lib + "\"", null).statusCode();
                });
                Future<Integer> delete = pool.submit(() -> {
                    go.await();
                    return b.admin().delete(LIBS + "/" + lib).statusCode();
                });
                go.countDown();
                int created = create.get();
                int deleted = delete.get();
                boolean libraryExists = a.admin().get(LIBS + "/" + lib).statusCode() == 200;
                boolean functionExists = FunctionsIT.query(b.admin(), "SELECT RAW meta().id FROM system:functions",
                        null).jsonPath().getList("results").contains("default:fn" + lib);
                assertFalse(functionExists && !libraryExists, "round " + round + ": CREATE " + created
                        + ", DELETE " + deleted + ": a function bound to a deleted library");
                assertEquals(created == 200, functionExists, "round " + round);
                assertEquals(deleted == 200, !libraryExists, "round " + round);
                if (created == 200 && deleted == 200) {
                    bothWon++;
                }
            }
            assertEquals(0, bothWon, "in no round may both the bind and the delete succeed");
        }
    }

    /** kill -9 of a node while clients write through it: every write it acknowledged is on the other node. */
    @Test
    void nodeKilledUnderWriteLoad_losesNoAcknowledgedWrite(TestInfo test) throws Exception {
        EtcdOptions options = etcd.options(prefix(test));
        String endpoints = etcd.endpoints().stream().map(Object::toString).collect(Collectors.joining(","));
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try (TestServer survivor = node(options, "survivor");
             ServerProcess doomed = ServerProcess.start(Map.of("EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD),
                     "--port", "0", "--data-dir", dir.resolve("doomed").toString(), "--store", "etcd",
                     "--etcd-endpoints", endpoints, "--etcd-prefix", options.prefix(), "--node-name", "doomed",
                     "--access-log=false")) {
            int port = doomed.awaitListening();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; running.get(); i++) {
                        String name = "w" + writer + "n" + i;
                        try {
                            int status = survivor.anonymous().port(port).auth().preemptive()
                                    .basic(TestServer.ADMIN, TestServer.PASSWORD)
                                    .body("function v() { return '" + name + "'; }")
                                    .post(LIBS + "/" + name).statusCode();
                            if (status == 200) {
                                acknowledged.add(name);
                            }
                        } catch (RuntimeException e) {
                            return;
                        }
                    }
                }));
            }
            await(() -> acknowledged.size() >= 40, "writes acknowledged by the doomed node");
            doomed.kill();
            running.set(false);
            for (Thread writer : writers) {
                writer.join();
            }
            assertTrue(acknowledged.size() >= 40);
            for (String name : acknowledged) {
                String code = survivor.admin().get(LIBS + "/" + name).then().statusCode(200).extract()
                        .jsonPath().getString(name);
                assertEquals("function v() { return '" + name + "'; }", code, name);
            }
        }
    }

    /**
     * One etcd member of three stopped under load: writes and reads go on, nothing acknowledged is lost. Two of
     * three stopped: writes fail with 503 and say why, the node is not ready, nothing is half-applied; once the
     * members are back, everything works again without a restart of the node.
     */
    @Test
    void etcdMembersLost_oneOfThreeRiddenOut_twoOfThreeRefusedClearly_thenBackWithoutRestart(@TempDir Path own)
            throws Exception {
        try (EtcdMembers cluster = EtcdMembers.start(own, 3);
             TestServer a = node(cluster.options("/multi/quorum/"), "a");
             TestServer b = node(cluster.options("/multi/quorum/"), "b")) {
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 0; running.get(); i++) {
                    String name = "q" + i;
                    if (a.admin().body("function v() { return " + i + "; }").post(LIBS + "/" + name)
                            .statusCode() == 200) {
                        acknowledged.add(name);
                    }
                }
            });
            await(() -> acknowledged.size() >= 10, "writes before the member goes");
            cluster.kill(0);
            int atKill = acknowledged.size();
            await(() -> acknowledged.size() >= atKill + 20, "writes go on with two members of three");
            b.admin().get(LIBS).then().statusCode(200);
            running.set(false);
            writer.join();
            for (String name : acknowledged) {
                b.admin().get(LIBS + "/" + name).then().statusCode(200);
            }

            cluster.kill(1);
            Response refused = a.admin().body("function lost() {}").post(LIBS + "/lost");
            assertEquals(503, refused.statusCode(), refused.asString());
            assertTrue(refused.jsonPath().getString("message").contains("etcd"), refused.asString());
            await(() -> a.anonymous().get(HealthChecks.READY_PATH).statusCode() == 503, "a not ready");
            await(() -> a.anonymous().get(HealthChecks.READY_PATH).asString()
                    .contains("{\"name\":\"store-sync\",\"status\":\"DOWN\"}"), "a says it may miss changes");
            await(() -> b.anonymous().get(HealthChecks.READY_PATH).asString()
                    .contains("{\"name\":\"store-sync\",\"status\":\"DOWN\"}"), "b says it may miss changes");
            Response stale = b.admin().get(LIBS + "/q1");
            assertEquals(503, stale.statusCode(), "no read from a cache that may be stale: " + stale.asString());

            cluster.launch(0);
            cluster.launch(1);
            cluster.awaitHealthy(0);
            cluster.awaitHealthy(1);
            await(() -> a.anonymous().get(HealthChecks.READY_PATH).statusCode() == 200, "a ready again");
            await(() -> a.admin().body("function back() {}").post(LIBS + "/back").statusCode() == 200,
                    "writes again");
            await(() -> b.admin().get(LIBS + "/back").statusCode() == 200, "seen on b");
            assertEquals(404, b.admin().get(LIBS + "/lost").statusCode(), "the refused write was not applied");
        }
    }

    /**
     * Nodes started at once on an empty store, with no administrator password given: one generates the password and
     * prints it, the others create no second administrator, and the printed password works on every node.
     */
    @Test
    void nodesStartingAtOnce_generateOneAdministratorPassword(TestInfo test) throws Exception {
        for (int round = 0; round < 3; round++) {
            EtcdOptions options = etcd.options(prefix(test) + round + "/");
            List<Future<EvaluatorServer>> starting = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
                CountDownLatch go = new CountDownLatch(1);
                for (int n = 0; n < 3; n++) {
                    String name = "n" + n;
                    Path data = dir.resolve("generated-" + round + "-" + name);
                    starting.add(pool.submit(() -> {
                        go.await();
                        return EvaluatorServer.start(new ServerSettings("127.0.0.1", 0, data, 1024 * 1024,
                                TestServer.ADMIN, Optional.empty(), Optional.empty(), true, false,
                                dev.evaluator.runtime.CallLimits.DEFAULT,
                                dev.evaluator.runtime.RuntimeSettings.defaults(), ServerSettings.Operations.DEFAULT)
                                .on(Optional.of(options), Optional.of(name)));
                    }));
                }
                go.countDown();
                List<EvaluatorServer> nodes = new ArrayList<>();
                try {
                    for (Future<EvaluatorServer> node : starting) {
                        nodes.add(node.get());
                    }
                    List<String> generated = nodes.stream().flatMap(n -> n.generatedAdminPassword().stream())
                            .toList();
                    assertEquals(1, generated.size(), "round " + round + ": one node generates the password");
                    for (EvaluatorServer node : nodes) {
                        io.restassured.RestAssured.given().port(node.port()).auth().preemptive()
                                .basic(TestServer.ADMIN, generated.getFirst()).get(WhoAmIService.PATH)
                                .then().statusCode(200);
                    }
                } finally {
                    nodes.forEach(EvaluatorServer::close);
                }
            }
        }
    }

    /**
     * Moving from RocksDB to etcd: {@code ./evaluator export} of a stopped server's data dir, imported into a node on
     * etcd, exports the same document again (apart from timestamps), and the node serves it.
     */
    @Test
    void migration_exportOfARocksDbDataDir_importedIntoEtcd_exportsTheSame(TestInfo test) throws Exception {
        Path rocks = dir.resolve("migrated-rocksdb");
        try (TestServer old = TestServer.start(rocks)) {
            old.admin().body("function add(a, b) { return a + b; }").post(LIBS + "/math").then().statusCode(200);
            old.admin().body("function km(m) { return m / 1000; }")
                    .post(LIBS + "/geo?bucket=travel-sample&scope=inventory").then().statusCode(200);
            FunctionsIT.query(old.admin(), "CREATE FUNCTION plus(a, b) LANGUAGE JAVASCRIPT AS \"add\" AT \"math\"",
                    null).then().statusCode(200);
        }
        java.io.ByteArrayOutputStream exported = new java.io.ByteArrayOutputStream();
        int code = ArchiveCommand.run(new String[] {"export", "--data-dir", rocks.toString()}, Map.of(),
                java.io.InputStream.nullInputStream(), exported, System.err);
        assertEquals(0, code);
        String document = exported.toString(java.nio.charset.StandardCharsets.UTF_8);

        try (TestServer node = node(etcd.options(prefix(test)), "migrated")) {
            node.admin().contentType("application/json").body(document.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .post(ArchiveService.IMPORT_PATH + "?mode=append").then().statusCode(200)
                    .body("libraries", org.hamcrest.Matchers.equalTo(2));
            String again = node.admin().get(ArchiveService.EXPORT_PATH).then().statusCode(200).extract().asString();
            assertEquals(timeless(document), timeless(again));
            FunctionsIT.query(node.admin(), "EXECUTE FUNCTION plus(1, 2)", null).then().statusCode(200)
                    .body("results[0]", org.hamcrest.Matchers.equalTo(3));
        }
    }

    /**
     * An import is one etcd transaction: one larger than etcd's per-transaction limits (128 operations by default,
     * about 30 libraries with their versions) is refused with 413, saying so, and nothing of it is written.
     */
    @Test
    void importBeyondEtcdsTransactionLimits_isRefusedWhole(TestInfo test) {
        String document;
        try (TestServer source = TestServer.start(dir.resolve("big-import-source"))) {
            for (int i = 0; i < 40; i++) {
                source.admin().body("function f() { return " + i + "; }").post(LIBS + "/big" + i).then()
                        .statusCode(200);
            }
            document = source.admin().get(ArchiveService.EXPORT_PATH).then().statusCode(200).extract().asString();
        }
        try (TestServer node = node(etcd.options(prefix(test)), "importing")) {
            Response refused = node.admin().contentType("application/json")
                    .body(document.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .post(ArchiveService.IMPORT_PATH + "?mode=append");
            assertEquals(413, refused.statusCode(), refused.asString());
            assertTrue(refused.jsonPath().getString("message").contains("--max-txn-ops"), refused.asString());
            assertEquals(0, node.admin().get(LIBS).then().statusCode(200).extract().jsonPath().getList("$").size(),
                    "nothing of it written");
        }
    }

    private static String timeless(String document) {
        return document.replaceAll("\"(exported|modified|created)\":\"[^\"]*\"", "\"$1\":\"-\"")
                .replaceAll(",\"sha256\":\"[0-9a-f]{64}\"}\\n?$", "}");
    }

    private static Response invoke(TestServer server, String path, String body) {
        return server.admin().contentType("application/json").body(body).post(LIBS + path);
    }

    private static RequestSpecification as(TestServer server, String user, String password) {
        return server.anonymous().auth().preemptive().basic(user, password);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + SOON.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Waited " + SOON.toSeconds() + " s for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
