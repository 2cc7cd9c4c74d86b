package plangraph;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded with only the Bolt connector on 127.0.0.1, auth on.
 *
 * Usage: LocalNeo4j HOME_DIR PORT. The password is read from the file named by
 * NEO4J_PASSWORD_FILE (never from argv, so it does not show in `ps`). Writes HOME_DIR/ready
 * once Bolt is accepting connections; SIGTERM shuts the DBMS down cleanly.
 */
public final class LocalNeo4j {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: LocalNeo4j HOME_DIR PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String pwFile = System.getenv("NEO4J_PASSWORD_FILE");
        if (pwFile == null) {
            System.err.println("NEO4J_PASSWORD_FILE is not set");
            System.exit(2);
        }
        String password = Files.readString(Path.of(pwFile), StandardCharsets.UTF_8).strip();
        Path ready = home.resolve("ready");
        Files.deleteIfExists(ready);

        String pagecache = System.getenv().getOrDefault("NEO4J_PAGECACHE", "512m");
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pagecache))
                // Checkpoint often: after a crash, recovery then replays seconds of work, not the whole history.
                .setConfig(GraphDatabaseSettings.check_point_interval_time, Duration.ofSeconds(20))
                .setConfig(GraphDatabaseSettings.check_point_interval_tx, 200)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Stop in ~1 s instead of ~11: by the time Bolt shuts down the databases are already closed, so
                // its idle thread pool and event loops need no grace period (bulk import stops and restarts us).
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (Exception ignored) {
                // best effort
            }
            dbms.shutdown();
            stopped.countDown();
        }));

        // The embedded DBMS creates user neo4j with the default password; set ours. A hash of the password
        // last set is kept so restarts skip the (slow, first-query) system-database call.
        Path marker = home.resolve("data").resolve("dbms").resolve("plangraph-password.sha256");
        String digest = sha256(password);
        if (!Files.exists(marker) || !Files.readString(marker, StandardCharsets.UTF_8).strip().equals(digest)) {
            try {
                dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            } catch (RuntimeException e) {
                String msg = String.valueOf(e.getMessage());
                if (!msg.contains("Old password and new password cannot be the same")) {
                    throw e;
                }
            }
            Files.createDirectories(marker.getParent());
            Files.writeString(marker, digest, StandardCharsets.UTF_8);
        }
        Files.writeString(ready, String.valueOf(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
        System.out.println("plangraph-neo4j ready on bolt://127.0.0.1:" + port);
        stopped.await();
    }

    private static String sha256(String text) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash);
    }
}
