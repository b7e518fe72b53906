package io.alveolus.common.storage;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.TenantId;
import com.google.common.collect.HashMultimap;
import com.google.common.collect.Multimap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.http.HttpUtils;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import okhttp3.OkHttpClient;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.InputStream;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The object store (MinIO in production, any S3 API locally). Every key starts with the tenant's prefix,
 * and every read checks that prefix against the caller's tenant, so a key from one hospital can never
 * fetch another's object.
 */
@ApplicationScoped
public class ObjectStore {

    @ConfigProperty(name = "alveolus.s3.endpoint")
    String endpoint;
    @ConfigProperty(name = "alveolus.s3.access-key")
    String accessKey;
    @ConfigProperty(name = "alveolus.s3.secret-key")
    String secretKey;
    @ConfigProperty(name = "alveolus.s3.bucket", defaultValue = "alveolus")
    String bucket;

    private MinioClient client;
    private BytePuts puts;
    private volatile boolean bucketReady;

    @Inject
    Instance<MeterRegistry> registries;

    @PostConstruct
    void init() {
        init(registries != null && registries.isResolvable() ? registries.get() : null);
    }

    void init(MeterRegistry registry) {
        // MinIO's own default client (5-minute timeouts), counting every request it sends: the pipeline's budget is
        // at most two object-store requests per image (alveolus_object_store_requests_total, bench/pipeline.sh)
        Map<String, Counter> counters = new ConcurrentHashMap<>();
        long timeout = TimeUnit.MINUTES.toMillis(5);
        OkHttpClient http = HttpUtils.newDefaultHttpClient(timeout, timeout, timeout).newBuilder()
                .addInterceptor(chain -> {
                    if (registry != null) {
                        counters.computeIfAbsent(chain.request().method(), m -> Counter
                                .builder("alveolus.object.store.requests").tag("method", m)
                                .description("HTTP requests sent to the object store").register(registry)).increment();
                    }
                    return chain.proceed(chain.request());
                }).build();
        // one connection pool for both
        puts = new BytePuts(MinioAsyncClient.builder().endpoint(endpoint).credentials(accessKey, secretKey)
                .httpClient(http).build());
        client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).httpClient(http).build();
    }

    /**
     * PUTs of a byte array. For a stream body (what {@code putObject(PutObjectArgs)} always sends) the MinIO client
     * builds a new HTTP client per request, and OkHttp compares the whole CA trust store on every build: a tenth of
     * ingest's CPU per upload (bench/results/profiles-stop23). A byte-array body goes through the shared client.
     */
    private static final class BytePuts extends MinioAsyncClient {
        BytePuts(MinioAsyncClient client) {
            super(client);
        }

        void put(String bucket, String key, byte[] data, String contentType) throws Exception {
            Multimap<String, String> headers = HashMultimap.create();
            headers.put("Content-Type", contentType);
            try {
                putObjectAsync(bucket, null, key, data, data.length, headers, HashMultimap.create()).get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    public static String prefix(TenantId tenant) {
        return "tenants/" + tenant.value() + "/";
    }

    /** Content-addressed: the same bytes from the same tenant are one object. */
    public static String imageKey(TenantId tenant, String sha256) {
        return prefix(tenant) + "images/" + sha256;
    }

    public static String heatmapKey(TenantId tenant, UUID analysisId) {
        return prefix(tenant) + "heatmaps/" + analysisId + ".png";
    }

    public void put(TenantId tenant, String key, byte[] data, String contentType) {
        checkOwned(tenant, key);
        putObject(key, data, contentType);
    }

    /**
     * Model versions (the registry's parameters and manifests) live outside every tenant's prefix, so no tenant's
     * key can name one, nor a model key a tenant's object.
     */
    public static final String MODELS_PREFIX = "platform/models/";

    /** Content-addressed: {@code platform/models/<sha256>/<file>}. */
    public static String modelKey(String contentSha256, String file) {
        if (contentSha256 == null || !contentSha256.matches("[0-9a-f]{64}") || file == null
                || !file.matches("[A-Za-z0-9._-]{1,100}") || file.contains("..")) {
            throw new IllegalArgumentException("not a model object: " + contentSha256 + "/" + file);
        }
        return MODELS_PREFIX + contentSha256 + "/" + file;
    }

    public void putModelObject(String key, byte[] data) {
        checkModel(key);
        putObject(key, data, "application/octet-stream");
    }

    public byte[] getModelObject(String key) {
        checkModel(key);
        return getObject(key);
    }

    private static void checkModel(String key) {
        if (key == null || !key.startsWith(MODELS_PREFIX) || key.contains("..")) {
            throw ProblemException.notFound("object");
        }
    }

    /**
     * De-identified feedback exports (training data made from radiologists' reviews) live outside every tenant's
     * prefix, like model versions: no tenant's key can name one. Only the operator's export API reads them.
     */
    public static final String FEEDBACK_EXPORTS_PREFIX = "platform/feedback-exports/";

    /** {@code platform/feedback-exports/<export id>.zip}. */
    public static String feedbackExportKey(UUID exportId) {
        return FEEDBACK_EXPORTS_PREFIX + exportId + ".zip";
    }

    /** Streams a finished export (a file that may not fit in memory) into the store. */
    public void putFeedbackExport(String key, java.nio.file.Path zip) {
        checkFeedbackExport(key);
        ensureBucket();
        try (InputStream in = java.nio.file.Files.newInputStream(zip)) {
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(in, java.nio.file.Files.size(zip), -1).contentType("application/zip").build());
        } catch (Exception e) {
            throw new ObjectStoreException("could not store object", e);
        }
    }

    /** The export's bytes as a stream, for the download; the caller closes it. */
    public InputStream openFeedbackExport(String key) {
        checkFeedbackExport(key);
        return openObject(key);
    }

    public void deleteFeedbackExport(String key) {
        checkFeedbackExport(key);
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (Exception e) {
            throw new ObjectStoreException("could not delete object", e);
        }
    }

    private static void checkFeedbackExport(String key) {
        if (key == null || !key.startsWith(FEEDBACK_EXPORTS_PREFIX) || key.contains("..")) {
            throw ProblemException.notFound("object");
        }
    }

    private void putObject(String key, byte[] data, String contentType) {
        ensureBucket();
        try {
            puts.put(bucket, key, data, contentType);
        } catch (Exception e) {
            throw new ObjectStoreException("could not store object", e);
        }
    }

    public boolean exists(TenantId tenant, String key) {
        checkOwned(tenant, key);
        ensureBucket();
        try {
            client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code()) || "NoSuchObject".equals(e.errorResponse().code())) {
                return false;
            }
            throw new ObjectStoreException("could not stat object", e);
        } catch (Exception e) {
            throw new ObjectStoreException("could not stat object", e);
        }
    }

    /** Reads a whole object; a key outside the tenant's prefix is reported as not found. */
    public byte[] get(TenantId tenant, String key) {
        checkOwned(tenant, key);
        return getObject(key);
    }

    private byte[] getObject(String key) {
        try (InputStream in = openObject(key)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new ObjectStoreException("could not read object", e);
        }
    }

    /** The object's bytes as a stream (404 problem when absent); the caller closes it. */
    private InputStream openObject(String key) {
        try {
            return client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                throw ProblemException.notFound("object");
            }
            throw new ObjectStoreException("could not read object", e);
        } catch (Exception e) {
            throw new ObjectStoreException("could not read object", e);
        }
    }

    public void delete(TenantId tenant, String key) {
        checkOwned(tenant, key);
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (Exception e) {
            throw new ObjectStoreException("could not delete object", e);
        }
    }

    /** For health checks: the store answers and the bucket exists (or can be made). */
    public void ping() {
        bucketReady = false;
        ensureBucket();
    }

    private void ensureBucket() {
        if (bucketReady) {
            return;
        }
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            bucketReady = true;
        } catch (ErrorResponseException e) {
            if ("BucketAlreadyOwnedByYou".equals(e.errorResponse().code())) {
                bucketReady = true;
                return;
            }
            throw new ObjectStoreException("object store bucket unavailable", e);
        } catch (Exception e) {
            throw new ObjectStoreException("object store unavailable", e);
        }
    }

    private static void checkOwned(TenantId tenant, String key) {
        if (key == null || !key.startsWith(prefix(tenant)) || key.contains("..")) {
            throw ProblemException.notFound("object");
        }
    }
}
