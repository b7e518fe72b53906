package io.alveolus.results;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.TestDicom;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The portal's preview of an original (issue 15.4): a 12-bit DICOM the browser cannot show becomes a grey PNG,
 * windowed as the model reads it (its values span the whole 8-bit range, not the dark low end a naive 16-to-8-bit
 * scaling gives), aspect kept, longer side at most 1024 px; only for the analysis' own tenant.
 */
@QuarkusTest
class PreviewTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");

    @Inject
    ObjectStore store;

    /** 1200 x 1500 (rows x columns) 12-bit gradient in 16-bit words: values 1000 to 1400 of 4095 only. */
    static byte[] twelveBitDicom() {
        int rows = 1200;
        int cols = 1500;
        ByteBuffer px = ByteBuffer.allocate(rows * cols * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                px.putShort((short) (1000 + 400 * x / cols));
            }
        }
        return TestDicom.uncompressed(TestDicom.EXPLICIT_LE, rows, cols, 16, px.array(),
                "1.2.826.0.1.3680043.10.777." + Math.abs(UUID.randomUUID().getLeastSignificantBits() % 100000), "ACC-P");
    }

    @Test
    void aDicomOriginalIsShownAsAWindowedGreyPngOfBoundedSize() throws Exception {
        Analysis a = TenancyMatrixTest.analysis(ST_MARYS, "alice");
        a.contentType = "application/dicom";
        a.imageKey = ObjectStore.imageKey(ST_MARYS, UUID.randomUUID().toString().replace("-", ""));
        store.put(ST_MARYS, a.imageKey, twelveBitDicom(), "application/dicom");
        TenantContext.run(ST_MARYS, () -> QuarkusTransaction.requiringNew().run(a::persist));

        byte[] png = given().auth().oauth2(Tokens.user("rachel")).get("/api/analyses/" + a.id + "/preview").then()
                .statusCode(200).contentType("image/png").header("Cache-Control", "private, no-store")
                .extract().asByteArray();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(1024, img.getWidth(), "the longer side is bounded");
        assertEquals(819, img.getHeight(), "the aspect is kept (1200/1500 of 1024)");
        int left = img.getRaster().getSample(5, 400, 0);
        int right = img.getRaster().getSample(1018, 400, 0);
        assertTrue(left < 20 && right > 235, "windowed over the image's own range: " + left + " .. " + right);

        // another hospital's user never sees it
        given().auth().oauth2(Tokens.user("nora")).get("/api/analyses/" + a.id + "/preview").then().statusCode(404);
    }
}
