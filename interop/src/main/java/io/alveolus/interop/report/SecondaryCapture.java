package io.alveolus.interop.report;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.TagFromName;
import io.alveolus.interop.AnalysisResult.Status;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The AI result as a DICOM Secondary Capture Image: the picture the caller renders (the heat map over the
 * radiograph) with a legend band burned in below it, for PACS viewers that show no SR.
 *
 * <p>The band is added under the picture rather than drawn over it, so no part of the radiograph is hidden: the
 * picture's pixels are kept as they are and the object is {@code Rows = picture height + band}. The legend says
 * what the image is ("AI result - decision support, not a diagnosis"), the model version and the result, or that
 * there is none ("Not analysed: ..." / "Analysis failed: ...").
 *
 * <p>RGB, 8 bits, interleaved (Planar Configuration 0), uncompressed; Burned In Annotation YES (the legend is
 * text in the pixels); Conversion Type WSD (made by a workstation: the pixels are not an acquisition);
 * Image Type DERIVED\SECONDARY; Source Image Sequence points at the radiograph.
 */
public final class SecondaryCapture {

    public static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    public static final int SERIES_NUMBER = 9902;
    public static final String DISCLAIMER = "AI result - decision support, not a diagnosis";

    /** Rows and Columns are US: the band must still fit. */
    private static final int MAX_SIDE = 65535;
    private static final Color BAND = new Color(0x10, 0x10, 0x10);
    private static final Color TEXT = new Color(0xff, 0xd0, 0x40); // yellow on near-black: readable in any viewer LUT

    private SecondaryCapture() {}

    /**
     * @param overlay the rendered picture (any BufferedImage type; read as sRGB); its size is the picture's size.
     *                For a FAILED or NOT_APPLICABLE result the caller passes the plain radiograph: the builder
     *                draws only the legend and cannot tell a heat map from the image under it
     */
    public static AttributeList build(SourceStudy source, AiFinding finding, BufferedImage overlay, ResultUids uids,
            java.time.Instant contentTime) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(uids, "uids");
        Objects.requireNonNull(contentTime, "contentTime");
        if (!uids.modelVersion().equals(finding.modelVersion())) {
            throw new IllegalArgumentException("UIDs of model version " + uids.modelVersion() + " for a result of "
                    + finding.modelVersion());
        }
        BufferedImage image = withLegend(overlay, legend(finding));
        try {
            AttributeList list = new AttributeList();
            Dicom.putSopCommon(list, SECONDARY_CAPTURE, uids.scInstance(), contentTime);
            source.putPatientAndStudy(list);
            // General Series, new series of its own
            Dicom.put(list, TagFromName.Modality, "OT");
            Dicom.put(list, TagFromName.SeriesInstanceUID, uids.scSeries());
            Dicom.put(list, TagFromName.SeriesNumber, SERIES_NUMBER);
            Dicom.put(list, TagFromName.SeriesDescription, "AI heat map (" + finding.modelVersion() + ")");
            // the chest is not a paired body part: no Laterality (General Series 2C) is needed once it is named
            Dicom.put(list, TagFromName.BodyPartExamined, "CHEST");
            // General Equipment, SC Equipment
            Dicom.put(list, TagFromName.Manufacturer, finding.manufacturer());
            Dicom.put(list, TagFromName.ConversionType, "WSD");
            Dicom.put(list, TagFromName.SecondaryCaptureDeviceManufacturer, finding.manufacturer());
            Dicom.put(list, TagFromName.SecondaryCaptureDeviceManufacturerModelName, finding.algorithmName());
            Dicom.put(list, TagFromName.SecondaryCaptureDeviceSoftwareVersions, finding.modelVersion());
            // General Image
            Dicom.put(list, TagFromName.InstanceNumber, 1);
            Dicom.put(list, TagFromName.PatientOrientation, ""); // type 2C: unknown for a rendered picture
            Dicom.put(list, TagFromName.ContentDate, Dicom.date(contentTime));
            Dicom.put(list, TagFromName.ContentTime, Dicom.time(contentTime));
            Dicom.putMulti(list, TagFromName.ImageType, "DERIVED", "SECONDARY");
            Dicom.put(list, TagFromName.DerivationDescription,
                    "AI heat map rendered over the source radiograph; legend burned in");
            Dicom.sequence(list, TagFromName.SourceImageSequence)
                    .addItem(Dicom.sopReference(source.sopClassUid(), source.sopInstanceUid()));
            Dicom.put(list, TagFromName.BurnedInAnnotation, "YES");
            Dicom.put(list, TagFromName.LossyImageCompression, "00");
            // SC Image
            Dicom.put(list, TagFromName.DateOfSecondaryCapture, Dicom.date(contentTime));
            Dicom.put(list, TagFromName.TimeOfSecondaryCapture, Dicom.time(contentTime));
            putPixels(list, image);
            return list;
        } catch (DicomException e) {
            throw new IllegalStateException("cannot build the Secondary Capture: " + e.getMessage(), e);
        }
    }

    /** The three legend lines: disclaimer, model, result (or why there is none). */
    public static List<String> legend(AiFinding finding) {
        String result;
        if (finding.status() == Status.COMPLETED) {
            result = String.format(Locale.ROOT, "Pneumonia: %s - probability %.2f (threshold %.2f)",
                    finding.positive() ? "detected" : "not detected", finding.probability(), finding.threshold());
        } else {
            result = finding.noResultText();
        }
        return List.of(DISCLAIMER, finding.algorithmName() + ", model " + finding.modelVersion(), result);
    }

    /** A legend line as drawn: its text and the font it fits the band in. */
    private record Line(String text, Font font) {}

    /** Lines of at most this many after wrapping a long reason; the rest is cut and marked. */
    private static final int MAX_LINES = 8;

    private static int baseFontSize(int width) {
        return Math.max(10, width / 30); // about 45 characters a line
    }

    private static int margin(int width) {
        return Math.max(3, width / 100);
    }

    private static int lineHeight(Font font) {
        return (int) Math.ceil(font.getSize() * 1.35);
    }

    static BufferedImage withLegend(BufferedImage overlay, List<String> paragraphs) {
        int w = overlay.getWidth();
        int h = overlay.getHeight();
        int margin = margin(w);
        List<Line> lines = layout(paragraphs, w - 2 * margin);
        int band = 2 * margin + lines.stream().mapToInt(l -> lineHeight(l.font())).sum();
        if (w > MAX_SIDE || h + band > MAX_SIDE) {
            throw new IllegalArgumentException("picture too large for a DICOM image: " + w + "x" + h);
        }
        BufferedImage out = new BufferedImage(w, h + band, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(overlay, 0, 0, null);
            g.setColor(BAND);
            g.fillRect(0, h, w, band);
            hints(g);
            g.setColor(TEXT);
            int top = h + margin;
            for (Line line : lines) {
                g.setFont(line.font());
                FontMetrics m = g.getFontMetrics();
                int lh = lineHeight(line.font());
                g.drawString(line.text(), margin, top + (lh + m.getAscent() - m.getDescent()) / 2);
                top += lh;
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void hints(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
    }

    /**
     * Each paragraph on one line at the base size, or somewhat smaller; one that still does not fit is wrapped at
     * word boundaries rather than shrunk into illegibility (a 224-pixel-wide picture must stay readable).
     */
    private static List<Line> layout(List<String> paragraphs, int width) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            hints(g);
            int base = baseFontSize(width);
            int smallest = Math.max(8, base * 4 / 5);
            List<Line> lines = new ArrayList<>();
            for (String p : paragraphs) {
                Font font = new Font(Font.SANS_SERIF, Font.BOLD, base);
                while (font.getSize() > smallest && g.getFontMetrics(font).stringWidth(p) > width) {
                    font = font.deriveFont((float) (font.getSize() - 1));
                }
                FontMetrics m = g.getFontMetrics(font);
                for (String part : wrap(m, p, width)) lines.add(new Line(part, font));
            }
            if (lines.size() > MAX_LINES) {
                Line last = lines.get(MAX_LINES - 1);
                lines = new ArrayList<>(lines.subList(0, MAX_LINES - 1));
                lines.add(new Line(cut(g.getFontMetrics(last.font()), last.text() + "...", width), last.font()));
            }
            return lines;
        } finally {
            g.dispose();
        }
    }

    private static List<String> wrap(FontMetrics m, String text, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" +")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (m.stringWidth(candidate) <= width) {
                line.setLength(0);
                line.append(candidate);
            } else {
                if (line.length() > 0) out.add(line.toString());
                line.setLength(0);
                line.append(m.stringWidth(word) <= width ? word : cut(m, word, width));
            }
        }
        if (line.length() > 0) out.add(line.toString());
        return out;
    }

    /** Cuts a word wider than the band, marking the cut. */
    private static String cut(FontMetrics m, String text, int width) {
        if (m.stringWidth(text) <= width) return text;
        String s = text;
        while (!s.isEmpty() && m.stringWidth(s + "...") > width) s = s.substring(0, s.length() - 1);
        return s + "...";
    }

    private static void putPixels(AttributeList list, BufferedImage image) throws DicomException {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int n = w * h * 3;
        byte[] rgb = new byte[n + (n & 1)]; // even length; the pad byte is zero
        for (int i = 0, j = 0; i < argb.length; i++) {
            rgb[j++] = (byte) (argb[i] >> 16);
            rgb[j++] = (byte) (argb[i] >> 8);
            rgb[j++] = (byte) argb[i];
        }
        Dicom.put(list, TagFromName.SamplesPerPixel, 3);
        Dicom.put(list, TagFromName.PhotometricInterpretation, "RGB");
        Dicom.put(list, TagFromName.PlanarConfiguration, 0);
        Dicom.put(list, TagFromName.Rows, h);
        Dicom.put(list, TagFromName.Columns, w);
        Dicom.put(list, TagFromName.BitsAllocated, 8);
        Dicom.put(list, TagFromName.BitsStored, 8);
        Dicom.put(list, TagFromName.HighBit, 7);
        Dicom.put(list, TagFromName.PixelRepresentation, 0);
        OtherByteAttribute pixels = new OtherByteAttribute(TagFromName.PixelData);
        pixels.setValues(rgb);
        list.put(pixels);
    }
}
