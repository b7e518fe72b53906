package io.alveolus.common.storage;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.TenantId;
import io.minio.MinioClient;
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

    @BeforeAll
    static void connect() {
        store = new ObjectStore();
        store.endpoint = ENDPOINT;
        store.accessKey = "alveolus";
        store.secretKey = "alveolus-dev-secret";
        store.bucket = "alveolus";
        store.init();
    }

    @Test
    void putStoresTheBytesWithTheirContentTypeOnTheSharedClient() throws Exception {
        TenantId tenant = new TenantId("store-test");
        String key = ObjectStore.prefix(tenant) + "images/" + UUID.randomUUID();
        byte[] data = ("not an image " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        assertFalse(store.exists(tenant, key));
        for (int i = 0; i < 3; i++) {   // the same connection pool, put after put
            store.put(tenant, key, data, "image/png");
        }
        assertTrue(store.exists(tenant, key));
        assertArrayEquals(data, store.get(tenant, key));
        var stat = MinioClient.builder().endpoint(ENDPOINT).credentials("alveolus", "alveolus-dev-secret").build()
                .statObject(StatObjectArgs.builder().bucket("alveolus").object(key).build());
        assertEquals("image/png", stat.contentType());
        assertEquals(data.length, stat.size());
        store.delete(tenant, key);
        assertFalse(store.exists(tenant, key));
    }

    @Test
    void anotherTenantsKeyIsNeitherWrittenNorRead() {
        String key = ObjectStore.prefix(new TenantId("store-test")) + "images/x";
        TenantId other = new TenantId("store-test-other");
        assertThrows(ProblemException.class, () -> store.put(other, key, new byte[]{1}, "image/png"));
        assertThrows(ProblemException.class, () -> store.get(other, key));
    }
}
