package io.alveolus.e2e;

import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import io.alveolus.e2e.portal.Browser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The portal in a real (headless) browser: ingest, worker, results and frontend-api run as packaged processes
 * against the real stack; users log in through Keycloak's own login page. Ports 18280 and 18291-18293, so it
 * can run beside PipelineIT (18281-18283).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalIT {
    static final Duration ANALYSED = Duration.ofSeconds(120);
    static final Path SCREENSHOTS = ServiceProcess.ROOT.resolve("e2e-tests/target/screenshots");
    static ServiceProcess ingest;
    static ServiceProcess results;
    static ServiceProcess worker;
    static ServiceProcess portal;
    static Browser browser;

    /** Alice's study, uploaded by St Mary's device in the first test and used by the others. */
    static String accession;
    static String analysisId;

    @BeforeAll
    static void start() throws Exception {
        ingest = new ServiceProcess("ingest-service", 18291).start();
        results = new ServiceProcess("results-service", 18293).start();
        worker = new ServiceProcess("inference-worker", 18292).start();
        portal = new ServiceProcess("frontend-api", 18280, "alveolus.results.url=" + results.url(),
                "alveolus.ingest.url=" + ingest.url()).start();
        browser = new Browser(SCREENSHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        ServiceProcess.closeAll(portal, worker, ingest, results);
    }

    static String deviceUpload(String tenant, String study, String physician, String label) {
        Path image = TestImages.files(label, 3).get(2);
        return given().auth().oauth2(Tokens.device(tenant)).multiPart("file", image.toFile(), "image/jpeg")
                .multiPart("studyId", study).multiPart("patientRef", "PSEUDO-" + Math.abs(study.hashCode()))
                .multiPart("referringPhysician", physician).multiPart("priority", "URGENT")
                .post(ingest.url() + "/api/images").then().statusCode(202).extract().path("analysisId");
    }

    static String awaitAnalysed(String user, String id) throws InterruptedException {
        String token = Tokens.user(user);
        long end = System.nanoTime() + ANALYSED.toNanos();
        String status = "";
        while (System.nanoTime() < end) {
            status = given().auth().oauth2(token).get(results.url() + "/api/analyses/" + id).then().statusCode(200)
                    .extract().path("status");
            if (status.equals("COMPLETED") || status.equals("FAILED") || status.equals("NOT_APPLICABLE")) {
                return status;
            }
            Thread.sleep(250);
        }
        return status;
    }

    /** Through Keycloak's own login page, from a signed-out browser. */
    static void login(String user) {
        browser.get(portal.url() + "/");
        browser.await(Duration.ofSeconds(30), "Keycloak login page",
                d -> d.getCurrentUrl().startsWith("http://127.0.0.1:18180/realms/alveolus/") && !browser.all("#username").isEmpty());
        browser.find("#username").sendKeys(user);
        browser.find("#password").sendKeys(Tokens.PASSWORD);
        browser.find("#kc-login").click();
        browser.await(Duration.ofSeconds(30), "worklist after login",
                d -> d.getCurrentUrl().startsWith(portal.url()) && !browser.all("#rows").isEmpty());
        assertTrue(browser.find("header .who").getText().startsWith(user), "logged in as " + user);
        awaitLive();
    }

    static void awaitLive() {
        browser.await(Duration.ofSeconds(20), "event stream connected",
                d -> browser.find("#live").getText().startsWith("live updates: on"));
    }

    static void logout() {
        browser.find("#logout").click();
        browser.await(Duration.ofSeconds(30), "signed-out page",
                d -> d.getCurrentUrl().startsWith(portal.url() + "/signed-out"));
        browser.get(portal.url() + "/");
        browser.await(Duration.ofSeconds(30), "login required again after logout",
                d -> d.getCurrentUrl().startsWith("http://127.0.0.1:18180/") && !browser.all("#username").isEmpty());
    }

    @SuppressWarnings("unchecked")
    static List<String> liveEvents() {
        return (List<String>) browser.js("return window.alveolusLive.events.slice();");
    }

    static long fetchStatus(String path) {
        return (Long) browser.jsAsync("var done = arguments[arguments.length - 1];"
                + "fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) { done(r.status); })"
                + ".catch(function () { done(-1); });", path);
    }

    @Test
    @Order(1)
    void physicianSeesANewStudyArriveLiveOpensItWithItsHeatMapAndLogsOut() throws Exception {
        login("alice");
        browser.screenshot("01-worklist-alice");
        browser.js("window.portalItMarker = 'not reloaded';");

        accession = "PORTAL-" + UUID.randomUUID().toString().substring(0, 8);
        analysisId = deviceUpload("st-marys", accession, "alice", "PNEUMONIA");
        String row = "tr[data-analysis='" + analysisId + "']";
        browser.await(ANALYSED, "the new study appears, analysed, without reload",
                d -> !browser.all(row + "[data-status='done']").isEmpty());
        assertEquals("not reloaded", browser.js("return window.portalItMarker;"), "the page was not reloaded");
        assertTrue(liveEvents().contains(analysisId), "the row came from a server-sent event: " + liveEvents());
        WebElement tr = browser.find(row);
        assertTrue(tr.getText().contains(accession));
        assertTrue(tr.getText().contains("urgent"));
        assertTrue(tr.findElement(org.openqa.selenium.By.cssSelector(".result")).getText().matches("\\d+\\.\\d% (flagged|not flagged)"),
                tr.getText());
        browser.screenshot("02-worklist-live-row");

        // tablet width: the page itself does not scroll sideways (the table scrolls in its own box)
        browser.size(800, 1024);
        assertTrue((Boolean) browser.js("return document.documentElement.scrollWidth <= window.innerWidth;"),
                "no horizontal page scroll at tablet width");
        browser.screenshot("03-worklist-tablet");
        browser.size(1366, 900);

        // by keyboard: the first Tab lands on the skip link, with a visible focus ring; Enter opens the study
        browser.find("body").sendKeys(org.openqa.selenium.Keys.TAB);
        assertEquals("Skip to content", browser.js("return document.activeElement.textContent;"));
        assertEquals("solid", browser.js("return getComputedStyle(document.activeElement).outlineStyle;"));
        browser.find(row + " a").sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.await(Duration.ofSeconds(30), "study page", d -> d.getCurrentUrl().endsWith("/studies/" + analysisId));
        browser.await(Duration.ofSeconds(30), "X-ray and heat map loaded",
                d -> (Boolean) browser.js("var x = document.getElementById('xray'), h = document.getElementById('heatmap');"
                        + "return !!(x && h && x.complete && h.complete && x.naturalWidth > 0 && h.naturalWidth > 0);"));
        // the overlay covers exactly the displayed image
        var xray = browser.find("#xray").getRect();
        var heat = browser.find("#heatmap").getRect();
        assertEquals(xray.getWidth(), heat.getWidth(), 1);
        assertEquals(xray.getHeight(), heat.getHeight(), 1);
        assertEquals(xray.getX(), heat.getX(), 1);
        assertEquals(xray.getY(), heat.getY(), 1);
        assertTrue(browser.find("#probability").getText().matches("\\d+\\.\\d%"));
        assertTrue(browser.find("#finding").getText().contains("threshold"));
        assertFalse(browser.find("#model-version").getText().isBlank());
        String metrics = browser.find("#metrics").getText();
        assertTrue(metrics.contains("AUROC") && metrics.contains("internal test") && metrics.contains("paediatric")
                && metrics.contains("adult") && metrics.contains("95% CI"), "internal-test figures per population: " + metrics);
        assertFalse(metrics.contains("validation"), "validation figures are not shown as earned: " + metrics);
        String footer = browser.find("footer").getText();
        assertTrue(footer.contains("not a diagnosis") && footer.contains("Kermany") && footer.contains("CC BY 4.0")
                && footer.contains("NIH Clinical Center"), footer);
        assertTrue(browser.all("#review-form").isEmpty(), "a physician cannot review");
        browser.screenshot("04-study-heatmap");

        // the overlay's controls work
        browser.find("#overlay-toggle").click();
        assertFalse(browser.find("#heatmap").isDisplayed());
        browser.find("#overlay-toggle").click();
        assertTrue(browser.find("#heatmap").isDisplayed());
        browser.js("var o = document.getElementById('overlay-opacity'); o.value = 80;"
                + "o.dispatchEvent(new Event('input'));");
        assertEquals("0.8", browser.js("return document.getElementById('heatmap').style.opacity;"));

        // a physician has no upload page and no review endpoint
        assertEquals(403L, fetchStatus("/upload"));
        logout();
        browser.screenshot("05-after-logout-keycloak-login");
    }

    @Test
    @Order(10)
    void aNonRadiographIsShownNotApplicableWithoutAnyProbability() throws Exception {
        java.awt.image.BufferedImage text = new java.awt.image.BufferedImage(400, 300,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        var g = text.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 400, 300);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 18));
        for (int y = 30; y < 300; y += 26) {
            g.drawString("Referral letter: chest film requested, cough for 3 days", 8, y);
        }
        g.dispose();
        Path png = java.nio.file.Files.createTempFile("letter", ".png");
        javax.imageio.ImageIO.write(text, "png", png.toFile());
        String study = "NA-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String id = given().auth().oauth2(Tokens.device("st-marys")).multiPart("file", png.toFile(), "image/png")
                .multiPart("studyId", study).multiPart("patientRef", "PSEUDO-NA").multiPart("referringPhysician", "alice")
                .post(ingest.url() + "/api/images").then().statusCode(202).extract().path("analysisId");
        assertEquals("NOT_APPLICABLE", awaitAnalysed("alice", id));
        login("alice");
        browser.get(portal.url() + "/studies/" + id);
        browser.await(Duration.ofSeconds(30), "study page", d -> d.getCurrentUrl().endsWith("/studies/" + id));
        assertEquals("not applicable", browser.find("#study-status").getText());
        assertTrue(browser.find("#not-applicable").getText().startsWith("Not applicable:"));
        assertTrue(browser.all("#probability").isEmpty() && browser.all("#finding").isEmpty()
                && browser.all("#heatmap").isEmpty(), "no probability, finding or heat map");
        browser.screenshot("09-study-not-applicable");
        logout();
    }

    @Test
    @Order(2)
    void anotherHospitalNeverSeesTheStudyNeitherListedNorLiveNorByAddress() throws Exception {
        assertNotNull(analysisId, "needs the first test's study");
        login("bob");
        // one study for each hospital while bob watches: only northside's reaches bob's page
        String own = deviceUpload("northside", "PORTAL-N-" + UUID.randomUUID().toString().substring(0, 8), "bob", "NORMAL");
        String foreign = deviceUpload("st-marys", "PORTAL-S-" + UUID.randomUUID().toString().substring(0, 8), "alice", "NORMAL");
        browser.await(ANALYSED, "bob's own study arrives live",
                d -> !browser.all("tr[data-analysis='" + own + "'][data-status='done']").isEmpty());
        assertEquals("COMPLETED", awaitAnalysed("alice", foreign));
        Thread.sleep(2000);
        List<String> seen = liveEvents();
        assertTrue(seen.contains(own), seen.toString());
        assertFalse(seen.contains(foreign), "st-marys event forwarded to northside: " + seen);
        assertFalse(seen.contains(analysisId));
        String page = browser.find("main").getText();
        assertFalse(page.contains(accession), "st-marys study listed for bob");
        browser.screenshot("06-worklist-bob");

        browser.get(portal.url() + "/?q=" + accession);
        assertTrue(browser.all("#rows tr").isEmpty(), "search finds nothing of another hospital");
        browser.get(portal.url() + "/studies/" + analysisId);
        assertEquals("Study not found", browser.find("h1").getText());
        assertEquals(404L, fetchStatus("/studies/" + analysisId + "/image"));
        assertEquals(404L, fetchStatus("/studies/" + analysisId + "/heatmap"));
        browser.screenshot("07-study-not-found-bob");
        logout();
    }

    @Test
    @Order(3)
    void radiologistOverrulesTheResultAndTheWorklistShowsIt() throws Exception {
        assertNotNull(analysisId, "needs the first test's study");
        login("rachel");
        browser.get(portal.url() + "/?q=" + accession);
        String row = "tr[data-analysis='" + analysisId + "']";
        assertEquals(1, browser.all(row).size(), "a radiologist sees the tenant's studies");
        browser.find(row + " a").click();
        browser.await(Duration.ofSeconds(30), "review form", d -> !browser.all("#review-form").isEmpty());

        // without the portal's header the review endpoint refuses (CSRF)
        long forged = (Long) browser.jsAsync("var done = arguments[arguments.length - 1];"
                + "fetch('/api/studies/" + analysisId + "/review', {method: 'POST', credentials: 'same-origin',"
                + " headers: {'Content-Type': 'application/json'}, body: JSON.stringify({label: 'PNEUMONIA'})})"
                + ".then(function (r) { done(r.status); }).catch(function () { done(-1); });");
        assertEquals(403L, forged);

        String modelSaid = browser.find("#review-form").getAttribute("data-model-label");
        browser.find("#label-overrule").click();
        browser.find("#review-comment").sendKeys("Portal IT: overruled after reading the film");
        browser.find("#review-submit").click();
        browser.await(Duration.ofSeconds(30), "review recorded",
                d -> browser.find("#review-text").getText().startsWith("overruled"));
        String review = browser.find("#review-text").getText();
        assertTrue(review.contains("rachel") && review.contains("Portal IT"), review);
        assertTrue(review.contains(modelSaid.equals("PNEUMONIA") ? "no pneumonia" : "pneumonia"), review);
        browser.screenshot("08-study-overruled-rachel");

        browser.get(portal.url() + "/studies/" + analysisId);
        assertTrue(browser.find("#review-text").getText().contains("overruled"), "the review is stored");
        browser.get(portal.url() + "/?view=triage&q=" + accession);
        String cell = browser.find(row + " .review").getText();
        assertTrue(cell.startsWith("overruled") && cell.contains("rachel"), cell);
        browser.screenshot("09-worklist-reviewed");

        // triage view: flagged first, highest probability first; filters narrow the rows
        browser.get(portal.url() + "/?view=triage");
        @SuppressWarnings("unchecked")
        List<Object> triage = (List<Object>) browser.js("return Array.prototype.map.call(document.querySelectorAll('#rows tr'),"
                + " function (tr) { var m = tr.querySelector('.result').textContent.match(/([0-9.]+)%/);"
                + " return [tr.classList.contains('flagged'), m ? parseFloat(m[1]) : -1]; });");
        assertFalse(triage.isEmpty());
        boolean seenUnflagged = false;
        double last = 101;
        for (Object o : triage) {
            List<?> r = (List<?>) o;
            boolean flagged = (Boolean) r.get(0);
            double p = ((Number) r.get(1)).doubleValue();
            assertFalse(flagged && seenUnflagged, "a flagged study below an unflagged one in triage: " + triage);
            if (flagged) {
                assertTrue(p <= last, "flagged studies by probability, highest first: " + triage);
                last = p;
            }
            seenUnflagged |= !flagged;
        }
        browser.get(portal.url() + "/?status=done&flagged=true");
        List<WebElement> filtered = browser.all("#rows tr");
        assertFalse(filtered.isEmpty());
        for (WebElement r : filtered) {
            assertEquals("done", r.getAttribute("data-status"));
            assertTrue(r.getAttribute("class").contains("flagged"));
        }
        browser.screenshot("10-worklist-triage-filtered");

        // upload in the browser: one good image, one that is not an image; per-file result, the refusal's detail
        browser.get(portal.url() + "/upload");
        Path notImage = Files.createTempFile("not-an-xray", ".png");
        Files.writeString(notImage, "this is not a PNG");
        browser.find("#studyId").sendKeys("PORTAL-U-" + UUID.randomUUID().toString().substring(0, 8));
        browser.find("#patientRef").sendKeys("PSEUDO-UPLOAD");
        browser.find("#referringPhysician").sendKeys("alice");
        browser.find("#files").sendKeys(TestImages.files("NORMAL", 4).get(3).toAbsolutePath() + "\n" + notImage);
        browser.await(Duration.ofSeconds(60), "both uploads answered",
                d -> browser.all(".upload-item[data-result]").size() == 2);
        var items = browser.all(".upload-item");
        assertEquals("accepted", items.get(0).getAttribute("data-result"), items.get(0).getText());
        assertEquals("refused", items.get(1).getAttribute("data-result"));
        String refusal = items.get(1).findElement(org.openqa.selenium.By.cssSelector(".upload-status")).getText();
        assertTrue(refusal.startsWith("Refused: ") && !refusal.contains("(HTTP "),
                "the problem's detail is shown: " + refusal);
        assertEquals("100", items.get(0).findElement(org.openqa.selenium.By.cssSelector("progress")).getAttribute("value"));
        assertTrue((Boolean) browser.js("return document.documentElement.scrollWidth <= window.innerWidth;"),
                "no horizontal page scroll on the upload page");
        browser.screenshot("11-upload-rachel");
        Files.deleteIfExists(notImage);
        browser.get(portal.url() + "/");
        logout();
    }

    @Test
    @Order(20)
    void theHospitalsAdministratorSeesWhereItsResultsWent() throws Exception {
        // a DICOM study of St Mary's, whose PACS (Orthanc, stack/up.sh) is its destination: its SR and SC are delivered
        String sop = "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
        byte[] dicom = io.alveolus.common.testing.TestDicom.radiograph(TestImages.files("NORMAL", 3).get(1), sop, "PA",
                "PORTAL-D-" + UUID.randomUUID().toString().substring(0, 8));
        String id = given().auth().oauth2(Tokens.device("st-marys")).multiPart("file", "x.dcm", dicom, "application/dicom")
                .post(ingest.url() + "/api/images").then().statusCode(202).extract().path("analysisId");
        assertEquals("COMPLETED", awaitAnalysed("rachel", id));

        // through Keycloak's login page as the tenant admin: the portal opens on the deliveries, not a worklist
        browser.get(portal.url() + "/");
        browser.await(Duration.ofSeconds(30), "Keycloak login page",
                d -> d.getCurrentUrl().startsWith("http://127.0.0.1:18180/realms/alveolus/") && !browser.all("#username").isEmpty());
        browser.find("#username").sendKeys("adam");
        browser.find("#password").sendKeys(Tokens.PASSWORD);
        browser.find("#kc-login").click();
        browser.await(Duration.ofSeconds(30), "deliveries page after login",
                d -> d.getCurrentUrl().startsWith(portal.url() + "/deliveries") && !browser.all("#deliveries").isEmpty());
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (browser.all("tr[data-analysis='" + id + "'][data-state='DELIVERED']").size() < 2 && System.nanoTime() < end) {
            Thread.sleep(1000);
            browser.get(portal.url() + "/deliveries");
        }
        assertEquals(2, browser.all("tr[data-analysis='" + id + "'][data-state='DELIVERED']").size(),
                "the SR and the SC of the study, both delivered to St Mary's PACS");
        assertTrue(browser.all("#no-destinations").isEmpty());
        assertTrue(browser.all("nav a[href='/upload']").isEmpty(), "no upload for an administrator");
        browser.screenshot("12-deliveries-adam");
        logout();
    }
}
