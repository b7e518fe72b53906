package io.alveolus.results;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A NOT_APPLICABLE analysis (the model may not read the image) through the results API: its reason, never a
 * probability; the status filter; its FHIR report; no review, no heat map.
 */
@QuarkusTest
class NotApplicableTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");
    static final String REASON = "not a frontal chest radiograph (ViewPosition LL)";

    @Inject
    ObjectStore store;

    String study;
    UUID notApplicable;
    UUID completed;

    @BeforeEach
    void rows() {
        study = "NA-" + UUID.randomUUID().toString().substring(0, 8);
        Analysis na = TenancyMatrixTest.analysis(ST_MARYS, "alice");
        na.studyId = study;
        na.status = AnalysisStatus.NOT_APPLICABLE;
        na.probability = null;
        na.positive = null;
        na.threshold = null;
        na.heatmapKey = null;
        na.notApplicableReason = REASON;
        na.modelVersion = "pneumonia-v2";
        Analysis read = TenancyMatrixTest.analysis(ST_MARYS, "alice");
        read.studyId = study;
        read.population = "adult";
        read.imageSha256 = "1".repeat(64); // another image of the same study
        store.put(ST_MARYS, na.imageKey, new byte[]{1, 2, 3}, "image/png");
        store.put(ST_MARYS, read.imageKey, new byte[]{1, 2, 3}, "image/png");
        store.put(ST_MARYS, read.heatmapKey, new byte[]{4, 5, 6}, "image/png");
        TenantContext.run(ST_MARYS, () -> QuarkusTransaction.requiringNew().run(() -> {
            na.persist();
            read.persist();
        }));
        notApplicable = na.id;
        completed = read.id;
    }

    @Test
    void readThroughTheApiItHasAReasonAndNoProbability() {
        for (String user : List.of("alice", "rachel")) {
            given().auth().oauth2(Tokens.user(user)).get("/api/analyses/" + notApplicable).then().statusCode(200)
                    .body("status", equalTo("NOT_APPLICABLE")).body("notApplicableReason", equalTo(REASON))
                    .body("probability", nullValue()).body("positive", nullValue()).body("threshold", nullValue())
                    .body("population", nullValue()).body("heatmapAvailable", equalTo(false))
                    .body("modelVersion", equalTo("pneumonia-v2"));
        }
        given().auth().oauth2(Tokens.user("rachel")).get("/api/analyses/" + completed).then().statusCode(200)
                .body("status", equalTo("COMPLETED")).body("population", equalTo("adult"))
                .body("notApplicableReason", nullValue());
        // nothing to review, no heat map to show
        given().auth().oauth2(Tokens.user("rachel")).contentType("application/json")
                .body("{\"label\":\"NO_PNEUMONIA\"}").post("/api/analyses/" + notApplicable + "/review")
                .then().statusCode(409).contentType("application/problem+json");
        given().auth().oauth2(Tokens.user("rachel")).get("/api/analyses/" + notApplicable + "/heatmap")
                .then().statusCode(404);
    }

    @Test
    void theStatusFilterFindsItAndRefusesWhatIsNotAStatus() {
        String rachel = Tokens.user("rachel");
        for (String spelling : List.of("NOT_APPLICABLE", "not_applicable")) {
            List<Map<String, Object>> items = given().auth().oauth2(rachel).queryParam("studyId", study)
                    .queryParam("status", spelling).get("/api/analyses").then().statusCode(200)
                    .body("total", equalTo(1)).extract().path("items");
            assertEquals(notApplicable.toString(), items.get(0).get("id"));
            assertEquals(REASON, items.get(0).get("notApplicableReason"));
            assertTrue(items.get(0).containsKey("probability") && items.get(0).get("probability") == null);
        }
        List<String> done = given().auth().oauth2(rachel).queryParam("studyId", study).queryParam("status", "COMPLETED")
                .get("/api/analyses").then().statusCode(200).extract().path("items.id");
        assertEquals(List.of(completed.toString()), done);
        List<String> all = given().auth().oauth2(rachel).queryParam("studyId", study).get("/api/analyses")
                .then().statusCode(200).extract().path("items.id");
        assertEquals(2, all.size());
        for (String bad : List.of("NOT APPLICABLE", " NOT_APPLICABLE", "NOT_APPLICABLE ", "NOTAPPLICABLE", "done",
                "not_appl\u0131cable", " ")) {
            given().auth().oauth2(rachel).queryParam("status", bad).get("/api/analyses").then().statusCode(400)
                    .contentType("application/problem+json").body("status", equalTo(400))
                    .body("detail", containsString("NOT_APPLICABLE"));
        }
    }

    @Test
    void itsFhirReportIsFinalAndSaysWhyWithoutAnyProbability() {
        String rachel = Tokens.user("rachel");
        var fhir = given().auth().oauth2(rachel).get("/api/analyses/" + notApplicable + "/fhir").then()
                .statusCode(200).contentType("application/fhir+json")
                .body("resourceType", equalTo("Bundle")).body("entry.size()", equalTo(1))
                .body("entry[0].resource.resourceType", equalTo("DiagnosticReport"))
                .body("entry[0].resource.status", equalTo("final"))
                .body("entry[0].resource.conclusion", containsString(REASON))
                .extract().asString();
        assertFalse(fhir.contains("Observation"), fhir);
        assertFalse(fhir.contains("pneumonia-probability"), fhir);
        assertFalse(fhir.contains("Media"), fhir);
        // the completed analysis of the same study still has its probability
        given().auth().oauth2(rachel).get("/api/analyses/" + completed + "/fhir").then().statusCode(200)
                .body(containsString("pneumonia-probability")).body(not(containsString("Not applicable")));
    }
}
