package io.alveolus.common.storage;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.TenantId;
import io.minio.MinioClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.minio.StatObjectArgs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against the stack's S3 server (stack/up.sh): what a byte-array PUT stores is what a GET returns, typed. */
class ObjectStoreTest {
    private static final String ENDPOINT = "http://127.0.0.1:19000";
    private static ObjectStore store;
    private static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();

    @BeforeAll
    static void connect() {
        store = new ObjectStore();
        store.endpoint = ENDPOINT;
        store.accessKey = "alveolus";
        store.secretKey = "alveolus-dev-secret";
        store.bucket = "alveolus";
        store.init(METRICS);
    }

    @Test
    void putStoresTheBytesWithTheirContentTypeOnTheSharedClient() throws Exception {
        TenantId tenant = new TenantId("store-test");
        String key = ObjectStore.prefix(tenant) + "images/" + UUID.randomUUID();
        byte[] data = ("not an image " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        assertFalse(store.exists(tenant, key));
        store.put(tenant, key, data, "image/png");   // each MinIO client asks for the bucket's region once, first
        double puts = requests("PUT"), gets = requests("GET");
        for (int i = 0; i < 3; i++) {   // the same connection pool, put after put
            store.put(tenant, key, data, "image/png");
        }
        assertEquals(3, requests("PUT") - puts, "one request per put, nothing else: no existence check, no region lookup");
        assertTrue(store.exists(tenant, key));
        assertArrayEquals(data, store.get(tenant, key));
        assertEquals(1, requests("GET") - gets, "one request per get");
        var stat = MinioClient.builder().endpoint(ENDPOINT).credentials("alveolus", "alveolus-dev-secret").build()
                .statObject(StatObjectArgs.builder().bucket("alveolus").object(key).build());
        assertEquals("image/png", stat.contentType());
        assertEquals(data.length, stat.size());
        store.delete(tenant, key);
        assertFalse(store.exists(tenant, key));
    }

    private static double requests(String method) {
        var c = METRICS.find("alveolus.object.store.requests").tag("method", method).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void anotherTenantsKeyIsNeitherWrittenNorRead() {
        String key = ObjectStore.prefix(new TenantId("store-test")) + "images/x";
        TenantId other = new TenantId("store-test-other");
        assertThrows(ProblemException.class, () -> store.put(other, key, new byte[]{1}, "image/png"));
        assertThrows(ProblemException.class, () -> store.get(other, key));
    }
}
