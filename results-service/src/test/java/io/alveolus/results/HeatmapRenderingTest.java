package io.alveolus.results;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.model.Heatmaps;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Heat maps drawn by results-service from the activation grid the worker stored with the result (issue 14: no
 * rendering and no upload per image in the worker): the picture, its tenant scoping, the FHIR Media link, and the
 * stored PNG of a result from before the grid. PostgreSQL, the S3 server and Keycloak are the real ones.
 */
@QuarkusTest
class HeatmapRenderingTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");

    @Inject
    ObjectStore store;

    /** A 3x3 grid whose evidence sits in the bottom-right corner. */
    static final float[] GRID = {-2f, -1f, -1f, -1f, 0f, 0.5f, -1f, 0.5f, 3f};

    UUID persist(Analysis a) {
        store.put(ST_MARYS, a.imageKey, new byte[]{1, 2, 3}, "image/png");
        TenantContext.run(ST_MARYS, () -> QuarkusTransaction.requiringNew().run(a::persist));
        return a.id;
    }

    Analysis withGrid() {
        Analysis a = TenancyMatrixTest.analysis(ST_MARYS, "alice");
        a.heatmapKey = null;
        a.camGrid = Heatmaps.encode(GRID);
        a.camWidth = 3;
        a.camHeight = 3;
        return a;
    }

    @Test
    void theHeatMapIsDrawnFromTheStoredGridOnlyForItsTenant() throws Exception {
        UUID id = persist(withGrid());
        given().auth().oauth2(Tokens.user("alice")).get("/api/analyses/" + id).then().statusCode(200)
                .body("heatmapAvailable", equalTo(true));
        byte[] png = given().auth().oauth2(Tokens.user("alice")).get("/api/analyses/" + id + "/heatmap")
                .then().statusCode(200).contentType("image/png").header("Cache-Control", "private, no-store")
                .extract().asByteArray();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(224, img.getWidth());
        assertTrue(img.getColorModel().hasAlpha());
        assertEquals(0, img.getRGB(0, 0) >>> 24, "no evidence top left: transparent");
        assertEquals(Heatmaps.MAX_ALPHA, img.getRGB(223, 223) >>> 24, "the grid's maximum, bottom right");
        assertArrayEquals(Heatmaps.png(GRID, 3, 3, 224), png, "the one renderer");
        // the second read is the cached picture, byte for byte
        assertArrayEquals(png, given().auth().oauth2(Tokens.user("alice")).get("/api/analyses/" + id + "/heatmap")
                .then().statusCode(200).extract().asByteArray());
        // another hospital cannot tell it exists, cached or not
        given().auth().oauth2(Tokens.user("bob")).get("/api/analyses/" + id + "/heatmap").then().statusCode(404);
        assertFalse(store.exists(ST_MARYS, ObjectStore.heatmapKey(ST_MARYS, id)), "nothing was uploaded");
    }

    @Test
    void theFhirMediaLinkResolvesToTheRenderedHeatMap() {
        UUID id = persist(withGrid());
        String alice = Tokens.user("alice");
        List<Map<String, Object>> entries = given().auth().oauth2(alice).get("/api/analyses/" + id + "/fhir")
                .then().statusCode(200).extract().path("entry");
        String url = entries.stream().map(e -> (Map<?, ?>) e.get("resource"))
                .filter(r -> "Media".equals(r.get("resourceType")))
                .map(r -> (String) ((Map<?, ?>) r.get("content")).get("url")).findFirst().orElseThrow();
        assertTrue(url.endsWith("/api/analyses/" + id + "/heatmap"), url);
        String path = url.substring(url.indexOf("/api/"));
        given().auth().oauth2(alice).get(path).then().statusCode(200).contentType("image/png");
    }

    @Test
    void aResultFromBeforeTheGridStillShowsItsStoredPng() {
        Analysis old = TenancyMatrixTest.analysis(ST_MARYS, "alice"); // heatmapKey set, no grid
        store.put(ST_MARYS, old.heatmapKey, new byte[]{4, 5, 6}, "image/png");
        UUID id = persist(old);
        assertArrayEquals(new byte[]{4, 5, 6}, given().auth().oauth2(Tokens.user("alice"))
                .get("/api/analyses/" + id + "/heatmap").then().statusCode(200).extract().asByteArray());
        Analysis none = TenancyMatrixTest.analysis(ST_MARYS, "alice");
        none.heatmapKey = null;
        UUID noMap = persist(none);
        given().auth().oauth2(Tokens.user("alice")).get("/api/analyses/" + noMap).then().statusCode(200)
                .body("heatmapAvailable", equalTo(false));
        given().auth().oauth2(Tokens.user("alice")).get("/api/analyses/" + noMap + "/heatmap").then().statusCode(404);
        assertEquals(AnalysisStatus.COMPLETED, none.status);
    }
}
