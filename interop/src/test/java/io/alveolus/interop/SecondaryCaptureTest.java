package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import io.alveolus.interop.report.AiFinding;
import io.alveolus.interop.report.MeasurementReport;
import io.alveolus.interop.report.ResultUids;
import io.alveolus.interop.report.SecondaryCapture;
import io.alveolus.interop.report.SourceStudy;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The heat map as a Secondary Capture: valid for dciodvfy, RGB, filed under the source patient and study, pointing
 * at the radiograph, the picture kept pixel for pixel and a legend actually burned in below it.
 */
class SecondaryCaptureTest {

    private static final Instant WHEN = Instant.parse("2024-03-11T10:20:30Z");
    private static final String MODEL = "pneumonia-v3";

    private static Fixtures fx;
    private static AttributeList source;
    private static BufferedImage overlay;

    @BeforeAll
    static void fixtures() throws Exception {
        fx = Fixtures.get();
        source = ResultObjects.fullSource(fx);
        overlay = heatMap(fx);
    }

    /** The radiograph in grey with a red-to-yellow blob over the right lower zone, as the worker would render. */
    private static BufferedImage heatMap(Fixtures fx) {
        BufferedImage img = new BufferedImage(fx.width, fx.height, BufferedImage.TYPE_INT_RGB);
        double cx = fx.width * 0.3;
        double cy = fx.height * 0.65;
        double r = fx.width * 0.2;
        for (int y = 0; y < fx.height; y++) {
            for (int x = 0; x < fx.width; x++) {
                int g = fx.grey[y * fx.width + x];
                double a = Math.max(0, 1 - Math.hypot(x - cx, y - cy) / r) * 0.6;
                int red = (int) Math.round(g * (1 - a) + 255 * a);
                int green = (int) Math.round(g * (1 - a) + 140 * a);
                int blue = (int) Math.round(g * (1 - a));
                img.setRGB(x, y, (red << 16) | (green << 8) | blue);
            }
        }
        return img;
    }

    private static AttributeList build(AiFinding finding, String analysisId) {
        return SecondaryCapture.build(SourceStudy.from(source), finding, overlay,
                ResultUids.of(analysisId, finding.modelVersion()), WHEN);
    }

    private static AttributeList roundTrip(AttributeList sc, String name) throws Exception {
        Path file = ResultObjects.writePart10(sc, ResultObjects.targetDir().resolve(name + ".dcm"));
        ResultObjects.dciodvfy(file, "SCImage");
        return ResultObjects.read(file);
    }

    @Test
    void validRgbSecondaryCaptureUnderTheSourceStudy() throws Exception {
        AttributeList sc = roundTrip(build(AiFinding.completed(0.91, 0.42, MODEL, WHEN), "sc-1"), "sc-positive");

        assertEquals(SecondaryCapture.SECONDARY_CAPTURE, ResultObjects.string(sc, TagFromName.SOPClassUID));
        assertEquals(ResultUids.of("sc-1", MODEL).scInstance(), ResultObjects.sopInstance(sc));
        assertEquals(ResultUids.of("sc-1", MODEL).scSeries(), ResultObjects.string(sc, TagFromName.SeriesInstanceUID));
        assertEquals(Fixtures.PATIENT_ID, ResultObjects.string(sc, TagFromName.PatientID));
        assertEquals(ResultObjects.PATIENT_NAME, ResultObjects.string(sc, TagFromName.PatientName));
        assertEquals(Fixtures.STUDY_UID, ResultObjects.string(sc, TagFromName.StudyInstanceUID));
        assertEquals(Fixtures.ACCESSION, ResultObjects.string(sc, TagFromName.AccessionNumber));
        assertEquals("OT", ResultObjects.string(sc, TagFromName.Modality));
        assertEquals("RGB", ResultObjects.string(sc, TagFromName.PhotometricInterpretation));
        assertEquals(3, Attribute.getSingleIntegerValueOrDefault(sc, TagFromName.SamplesPerPixel, 0));
        assertEquals(0, Attribute.getSingleIntegerValueOrDefault(sc, TagFromName.PlanarConfiguration, -1));
        assertEquals(8, Attribute.getSingleIntegerValueOrDefault(sc, TagFromName.BitsAllocated, 0));
        assertEquals("YES", ResultObjects.string(sc, TagFromName.BurnedInAnnotation));
        assertEquals("WSD", ResultObjects.string(sc, TagFromName.ConversionType));
        assertEquals("00", ResultObjects.string(sc, TagFromName.LossyImageCompression));
        assertEquals("DERIVED\\SECONDARY",
                Attribute.getDelimitedStringValuesOrEmptyString(sc, TagFromName.ImageType));

        AttributeList ref = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(sc,
                TagFromName.SourceImageSequence);
        assertEquals(Fixtures.SOP_UID, ResultObjects.string(ref, TagFromName.ReferencedSOPInstanceUID));
        assertEquals(Fixtures.DX_FOR_PRESENTATION, ResultObjects.string(ref, TagFromName.ReferencedSOPClassUID));

        assertEquals(fx.width, Attribute.getSingleIntegerValueOrDefault(sc, TagFromName.Columns, 0));
        int band = Attribute.getSingleIntegerValueOrDefault(sc, TagFromName.Rows, 0) - fx.height;
        assertTrue(band >= 3 * 10, "a band below the picture, three lines of at least 8 pt: " + band);

        byte[] pixels = sc.get(TagFromName.PixelData).getByteValues();
        int picture = fx.width * fx.height * 3;
        // the picture is kept pixel for pixel: the legend hides nothing of the radiograph
        assertArrayEquals(rgb(overlay), Arrays.copyOf(pixels, picture));
        // the band holds the legend: its pixels are not the picture's, and text is drawn in it
        byte[] legend = Arrays.copyOfRange(pixels, picture, picture + fx.width * band * 3);
        byte[] lastRowsOfPicture = Arrays.copyOfRange(rgb(overlay), picture - legend.length, picture);
        assertFalse(Arrays.equals(legend, lastRowsOfPicture), "band differs from the picture input");
        long textPixels = textPixels(legend);
        assertTrue(textPixels > fx.width * 3L, "legend text burned in: " + textPixels + " text pixels");
        assertTrue(textPixels < legend.length / 3 / 2, "band is mostly background, not a filled rectangle");
    }

    @Test
    void legendSaysWhatItIsAndWhenThereIsNoResult() throws Exception {
        AiFinding positive = AiFinding.completed(0.91, 0.42, MODEL, WHEN);
        AiFinding notApplicable = AiFinding.notApplicable("the image is not a frontal chest radiograph", MODEL, WHEN);
        AiFinding failed = AiFinding.failed("inference timed out", MODEL, WHEN);
        assertEquals("AI result - decision support, not a diagnosis", SecondaryCapture.legend(positive).get(0));
        assertTrue(SecondaryCapture.legend(positive).get(1).contains(MODEL));
        assertEquals("Pneumonia: detected - probability 0.91 (threshold 0.42)", SecondaryCapture.legend(positive).get(2));
        assertEquals("Pneumonia: not detected - probability 0.10 (threshold 0.42)",
                SecondaryCapture.legend(AiFinding.completed(0.1, 0.42, MODEL, WHEN)).get(2));
        assertEquals("Not analysed: the image is not a frontal chest radiograph",
                SecondaryCapture.legend(notApplicable).get(2));
        assertEquals("Analysis failed: inference timed out", SecondaryCapture.legend(failed).get(2));

        // the burned-in legend differs with the result (the text is really drawn from it), the picture does not
        AttributeList a = roundTrip(build(positive, "sc-2"), "sc-legend-positive");
        AttributeList b = roundTrip(build(notApplicable, "sc-3"), "sc-not-applicable");
        roundTrip(build(failed, "sc-4"), "sc-failed");
        byte[] pa = a.get(TagFromName.PixelData).getByteValues();
        byte[] pb = b.get(TagFromName.PixelData).getByteValues();
        int picture = fx.width * fx.height * 3;
        assertArrayEquals(Arrays.copyOf(pa, picture), Arrays.copyOf(pb, picture));
        assertFalse(Arrays.equals(Arrays.copyOfRange(pa, picture, pa.length), Arrays.copyOfRange(pb, picture, pb.length)));

        // a long reason is wrapped onto more lines (a taller band), not shrunk into illegibility
        AttributeList wrapped = roundTrip(build(AiFinding.failed("the inference worker did not answer within the "
                + "configured deadline after three attempts on two different nodes", MODEL, WHEN), "sc-8"), "sc-wrapped");
        assertTrue(Attribute.getSingleIntegerValueOrDefault(wrapped, TagFromName.Rows, 0)
                > Attribute.getSingleIntegerValueOrDefault(b, TagFromName.Rows, 0));
    }

    @Test
    void sameInputsSameUidsAndNotTheSrs() {
        AiFinding f = AiFinding.completed(0.91, 0.42, MODEL, WHEN);
        AttributeList a = build(f, "sc-5");
        AttributeList b = build(f, "sc-5");
        assertEquals(ResultObjects.sopInstance(a), ResultObjects.sopInstance(b));
        AttributeList sr = MeasurementReport.build(SourceStudy.from(source), f, ResultUids.of("sc-5", MODEL), WHEN);
        assertNotEquals(ResultObjects.sopInstance(a), ResultObjects.sopInstance(sr));
        assertNotEquals(ResultObjects.string(a, TagFromName.SeriesInstanceUID),
                ResultObjects.string(sr, TagFromName.SeriesInstanceUID));
    }

    @Test
    void smallAndOddSizedPicturesStillGetAReadableLegend() throws Exception {
        // 7 x 5 x 3 = 105 bytes: odd, padded to even in the file
        BufferedImage tiny = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        AttributeList sc = SecondaryCapture.build(SourceStudy.from(source),
                AiFinding.completed(0.91, 0.42, MODEL, WHEN), tiny, ResultUids.of("sc-6", MODEL), WHEN);
        AttributeList back = roundTrip(sc, "sc-tiny");
        assertEquals(7, Attribute.getSingleIntegerValueOrDefault(back, TagFromName.Columns, 0));
        int rows = Attribute.getSingleIntegerValueOrDefault(back, TagFromName.Rows, 0);
        assertTrue(rows > 5, "band added");
        int n = 7 * rows * 3;
        assertEquals(n + (n & 1), back.get(TagFromName.PixelData).getByteValues().length, "odd length padded");
        assertThrows(IllegalArgumentException.class, () -> SecondaryCapture.build(SourceStudy.from(source),
                AiFinding.completed(0.91, 0.42, MODEL, WHEN), overlay, ResultUids.of("sc-7", "pneumonia-v2"), WHEN));
    }

    private static byte[] rgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        int j = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                out[j++] = (byte) (p >> 16);
                out[j++] = (byte) (p >> 8);
                out[j++] = (byte) p;
            }
        }
        return out;
    }

    /** Pixels clearly brighter than the dark band: the (antialiased) yellow text. */
    private static long textPixels(byte[] rgb) {
        long n = 0;
        for (int i = 0; i + 2 < rgb.length; i += 3) {
            if ((rgb[i] & 0xff) > 0x80 && (rgb[i + 1] & 0xff) > 0x60) n++;
        }
        return n;
    }
}
