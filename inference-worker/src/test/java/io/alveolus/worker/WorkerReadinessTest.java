package io.alveolus.worker;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

/** The worker starts against the real stack: database, broker, object store, and the shipped model loaded offline. */
@QuarkusTest
class WorkerReadinessTest {

    @Test
    void readyWithModelAndDependencies() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.status", org.hamcrest.Matchers.everyItem(equalTo("UP")))
                .body("checks.name", hasItems("model", "object-store"));
        given().get("/q/metrics").then().statusCode(200);
    }
}
