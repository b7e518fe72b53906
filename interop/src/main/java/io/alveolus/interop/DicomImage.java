package io.alveolus.interop;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
import io.alveolus.common.imaging.ImageFormat;
import io.alveolus.common.imaging.ImageLimits;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Decodes a DICOM Part 10 object holding a single-frame frontal chest radiograph into a display-ready 8-bit greyscale
 * image. Shared by the inference worker (pixels) and ingest validation (refusals, metadata). Stateless and thread-safe.
 *
 * <p>Pixel pipeline, in the order of DICOM PS3.3 C.11: stored values (masked to Bits Stored, sign-extended when Pixel
 * Representation is 1) → Modality LUT (Rescale Slope/Intercept) → VOI (first Window Center/Width with the VOI LUT
 * Function LINEAR, LINEAR_EXACT or SIGMOID; else the first VOI LUT Sequence item; else, for 8-bit data with an
 * identity rescale, the stored values as they are; else the min-max range of the modality
 * values) → 0..255 → inversion for MONOCHROME1 (after VOI, so that 0 is always black).
 *
 * <p>Transfer syntaxes: implicit VR LE, explicit VR LE and BE, deflated explicit VR LE, JPEG baseline (process 1),
 * JPEG lossless (processes 14 and 14 SV1), JPEG 2000 (lossless and lossy), RLE. Not JPEG-LS nor 12-bit JPEG extended.
 * Parsing and decompression are PixelMed's (see docs/adr/0002-dicom-library.md).
 *
 * <p>Limits are the validation contract's ({@link ImageLimits}), the same as for every format and entry point;
 * {@link #inspect} applies them at header and structure level (ingest), {@link #decode} after them (worker).
 *
 * <p>Every failure is a {@link DicomRejected}; no unchecked exception escapes for any input bytes.
 */
public final class DicomImage {

    /** @deprecated the contract's limits are {@link ImageLimits}'s; this alias stays for existing callers */
    @Deprecated
    public static final long MAX_PIXELS = ImageLimits.MAX_PIXELS;

    private static final Set<String> ACCEPTED_MODALITIES = Set.of("CR", "DX");
    private static final Set<String> LATERAL_VIEWS = Set.of("LL", "RL", "LAT", "LATERAL");

    /** Transfer syntaxes whose pixel data can be decoded, with a readable name for messages. */
    static final Map<String, String> SUPPORTED_TRANSFER_SYNTAXES = Map.of(
            "1.2.840.10008.1.2", "Implicit VR Little Endian",
            "1.2.840.10008.1.2.1", "Explicit VR Little Endian",
            "1.2.840.10008.1.2.2", "Explicit VR Big Endian",
            "1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian",
            "1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)",
            "1.2.840.10008.1.2.4.57", "JPEG Lossless (Process 14)",
            "1.2.840.10008.1.2.4.70", "JPEG Lossless SV1 (Process 14, Selection Value 1)",
            "1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless",
            "1.2.840.10008.1.2.4.91", "JPEG 2000",
            "1.2.840.10008.1.2.5", "RLE Lossless");

    static {
        // Registers the ImageIO readers PixelMed's decompressor needs (JPEG lossless, JPEG 2000) from this class path.
        ImageIO.scanForPlugins();
    }

    private DicomImage() {
    }

    /**
     * Checks a DICOM Part 10 object at header and structure level, as ingest does on every entry point: the
     * contract's limits ({@link ImageLimits}: file size, sides, decoded size), a structure walk that bounds every
     * declared length before anything is allocated (deflated data sets included), the header (transfer syntax,
     * CR/DX, single frame, greyscale, frontal, bits), the Pixel Data against the header and the transfer syntax
     * (native: exactly Rows x Columns x Samples x Bits Allocated / 8 bytes; encapsulated: fragments of the declared
     * codec, of the declared size), and native pixels that are all the same value (a blank image). Nothing is
     * decoded: the worker's {@link #decode} does that, after the same checks.
     *
     * @throws DicomRejected when the object is refused; {@link DicomRejected#code()} says why
     */
    public static DicomMetadata inspect(byte[] part10) throws DicomRejected {
        return guarded(part10, () -> inspectChecked(part10).metadata());
    }

    /**
     * Decodes a DICOM Part 10 object (128-byte preamble, "DICM", file meta information, data set), after the
     * checks of {@link #inspect}.
     *
     * @throws DicomRejected when the bytes are not DICOM, are malformed, or are not a single-frame frontal CR/DX
     *                       greyscale image; {@link DicomRejected#code()} says which
     */
    public static DecodedDicom decode(byte[] part10) throws DicomRejected {
        return guarded(part10, () -> decodeChecked(part10));
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    private static <T> T guarded(byte[] part10, Work<T> work) throws DicomRejected {
        if (part10 == null || part10.length == 0) {
            throw new DicomRejected(DicomRejected.Code.NOT_DICOM, "empty input");
        }
        if (part10.length < 132 || part10[128] != 'D' || part10[129] != 'I' || part10[130] != 'C' || part10[131] != 'M') {
            throw new DicomRejected(DicomRejected.Code.NOT_DICOM,
                    "not a DICOM Part 10 file: no 'DICM' prefix after the 128-byte preamble");
        }
        try {
            return work.run();
        } catch (DicomRejected e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new DicomRejected(DicomRejected.Code.OUT_OF_RESOURCES, "not enough memory to decode the image", e);
        } catch (Exception | StackOverflowError e) {
            // Parsers throw all kinds of runtime exceptions on hostile input; none may escape, nor name a class.
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "the DICOM object cannot be parsed", e);
        } catch (VirtualMachineError | LinkageError e) {
            throw e; // the JVM or the deployment, not the input
        } catch (Error e) {
            // Codecs report corrupt data with a plain java.lang.Error too: jj2000 (JPEG 2000) throws
            // "IO Error when reading tile 0 x 0" for a damaged code stream (found by DicomDecoderFuzzTest).
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "the pixel data cannot be decoded", e);
        }
    }

    /** What {@link #inspect} established, for {@link #decode} to go on from. */
    private record Inspected(AttributeList header, DicomMetadata metadata, DicomStructure.Walk walk) {
    }

    private static Inspected inspectChecked(byte[] part10) throws Exception {
        var tooLarge = ImageLimits.fileSizeProblem(ImageFormat.DICOM, part10.length);
        if (tooLarge.isPresent()) {
            throw new DicomRejected(DicomRejected.Code.TOO_LARGE, tooLarge.get());
        }
        // 1. Structure: every length bounded, Pixel Data checked against Rows/Columns/Bits and the transfer syntax.
        DicomStructure.Walk walk = DicomStructure.walk(part10);

        // 2. Header only (everything before Pixel Data), from an object now known to be sound: the metadata.
        AttributeList header = new AttributeList();
        try {
            header.read(new DicomInputStream(new ByteArrayInputStream(part10)), TagFromName.PixelData);
        } catch (Exception e) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "cannot parse the DICOM header", e);
        }
        DicomMetadata metadata = metadata(header);
        checkTransferSyntax(metadata);
        if (!walk.transferSyntax().equals(metadata.transferSyntaxUid()) || walk.rows() != metadata.rows()
                || walk.columns() != metadata.columns()) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "the DICOM header is ambiguous");
        }

        // 3. Refuse what is out of scope.
        checkScope(header, metadata);
        int bitsAllocated = intValue(header, TagFromName.BitsAllocated, 0);
        int bitsStored = metadata.bitsStored();
        int pixelRepresentation = intValue(header, TagFromName.PixelRepresentation, 0);
        if (bitsAllocated != walk.bitsAllocated()) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "the DICOM header is ambiguous");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED,
                    "Bits Stored " + bitsStored + " inconsistent with Bits Allocated " + bitsAllocated);
        }
        if (pixelRepresentation != 0 && pixelRepresentation != 1) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "Pixel Representation " + pixelRepresentation);
        }

        // 4. A blank image, where its pixels can be seen without decoding (native, not deflated).
        if (!walk.encapsulated() && walk.pixelOffset() >= 0
                && constant(part10, (int) walk.pixelOffset(), metadata.rows() * metadata.columns(), bitsAllocated / 8)) {
            throw new DicomRejected(DicomRejected.Code.DEGENERATE,
                    "every pixel of the image has the same value: a blank image has nothing to analyse");
        }
        return new Inspected(header, metadata, walk);
    }

    /** Whether all {@code pixels} samples of {@code bytes} bytes from {@code offset} are equal (stops at the first
     *  difference, so a real image costs a few bytes). */
    private static boolean constant(byte[] b, int offset, int pixels, int bytes) {
        int end = offset + pixels * bytes;
        for (int i = offset + bytes; i < end; i++) {
            if (b[i] != b[i - bytes]) {
                return false;
            }
        }
        return true;
    }

    private static DecodedDicom decodeChecked(byte[] part10) throws Exception {
        Inspected inspected = inspectChecked(part10);
        AttributeList header = inspected.header();
        DicomMetadata metadata = inspected.metadata();

        // 5. Whole object, pixel data decompressed by PixelMed: its sizes were bounded by the checks above.
        AttributeList list = new AttributeList();
        try {
            list.read(new DicomInputStream(new ByteArrayInputStream(part10)));
        } catch (Exception e) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "cannot read the pixel data", e);
        }
        if (list.getPixelData() == null) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "no Pixel Data (7FE0,0010): truncated file?");
        }
        int bitsStored = metadata.bitsStored();
        int pixelRepresentation = intValue(header, TagFromName.PixelRepresentation, 0);

        // 6. Pixels.
        int[] stored = storedValues(list, metadata, bitsStored, pixelRepresentation == 1);
        byte[] grey = voi(header, stored);
        if ("MONOCHROME1".equals(metadata.photometric())) {
            for (int i = 0; i < grey.length; i++) grey[i] = (byte) (255 - (grey[i] & 0xff));
        }
        BufferedImage image = new BufferedImage(metadata.columns(), metadata.rows(), BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        raster.setDataElements(0, 0, metadata.columns(), metadata.rows(), grey);
        return new DecodedDicom(image, metadata);
    }

    private static DicomMetadata metadata(AttributeList l) {
        return new DicomMetadata(
                string(l, TagFromName.StudyInstanceUID),
                string(l, TagFromName.SeriesInstanceUID),
                string(l, TagFromName.SOPInstanceUID),
                string(l, TagFromName.SOPClassUID),
                string(l, TagFromName.AccessionNumber),
                string(l, TagFromName.PatientID),
                string(l, TagFromName.ReferringPhysicianName),
                upper(string(l, TagFromName.Modality)),
                upper(string(l, TagFromName.ViewPosition)),
                intValue(l, TagFromName.Rows, 0),
                intValue(l, TagFromName.Columns, 0),
                intValue(l, TagFromName.BitsStored, 0),
                upper(string(l, TagFromName.PhotometricInterpretation)),
                string(l, TagFromName.TransferSyntaxUID),
                upper(string(l, TagFromName.BodyPartExamined)),
                upper(Attribute.getDelimitedStringValuesOrNull(l, TagFromName.ImageType)),
                PatientAge.years(string(l, TagFromName.PatientAge), string(l, TagFromName.PatientBirthDate),
                        string(l, TagFromName.StudyDate)).orElse(null));
    }

    private static void checkTransferSyntax(DicomMetadata m) throws DicomRejected {
        String ts = m.transferSyntaxUid();
        if (ts == null) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "no Transfer Syntax UID in the file meta information");
        }
        if (!SUPPORTED_TRANSFER_SYNTAXES.containsKey(ts)) {
            throw new DicomRejected(DicomRejected.Code.UNSUPPORTED_TRANSFER_SYNTAX, "transfer syntax " + ts
                    + " not supported; send uncompressed, JPEG baseline/lossless, JPEG 2000 or RLE");
        }
    }

    private static void checkScope(AttributeList l, DicomMetadata m) throws DicomRejected {
        if (m.modality() == null) {
            throw new DicomRejected(DicomRejected.Code.UNSUPPORTED_MODALITY, "no Modality; only CR and DX are accepted");
        }
        if (!ACCEPTED_MODALITIES.contains(m.modality())) {
            throw new DicomRejected(DicomRejected.Code.UNSUPPORTED_MODALITY,
                    "modality " + m.modality() + " not accepted; only chest radiographs (CR, DX)");
        }
        int frames = intValue(l, TagFromName.NumberOfFrames, 1);
        if (frames != 1) {
            throw new DicomRejected(DicomRejected.Code.MULTI_FRAME,
                    "Number of Frames " + frames + "; only single-frame images are accepted");
        }
        int samples = intValue(l, TagFromName.SamplesPerPixel, 1);
        String photometric = m.photometric();
        if (photometric == null) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "no Photometric Interpretation");
        }
        if (samples != 1 || !(photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2"))) {
            throw new DicomRejected(DicomRejected.Code.COLOUR, "photometric interpretation " + photometric
                    + " with " + samples + " sample(s) per pixel; only greyscale (MONOCHROME1/2) is accepted");
        }
        if (m.viewPosition() != null && LATERAL_VIEWS.contains(m.viewPosition())) {
            throw new DicomRejected(DicomRejected.Code.LATERAL_VIEW,
                    "view position " + m.viewPosition() + " is lateral; only frontal (PA/AP) views are analysed");
        }
    }

    /** Stored pixel values of frame 1, masked to Bits Stored and sign-extended when signed. */
    private static int[] storedValues(AttributeList list, DicomMetadata m, int bitsStored, boolean signed)
            throws Exception {
        SourceImage source = new SourceImage(list);
        if (source.getNumberOfBufferedImages() < 1) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "no decodable frame");
        }
        BufferedImage frame = source.getBufferedImage(0);
        if (frame == null) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "pixel data could not be decoded");
        }
        Raster r = frame.getRaster();
        if (r.getWidth() != m.columns() || r.getHeight() != m.rows() || r.getNumBands() != 1) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "decoded frame is " + r.getWidth() + "x"
                    + r.getHeight() + "x" + r.getNumBands() + ", header says " + m.columns() + "x" + m.rows() + "x1");
        }
        int[] v = r.getSamples(r.getMinX(), r.getMinY(), m.columns(), m.rows(), 0, (int[]) null);
        int mask = bitsStored >= 32 ? -1 : (1 << bitsStored) - 1;
        int signBit = 1 << (bitsStored - 1);
        for (int i = 0; i < v.length; i++) {
            int x = v[i] & mask;
            if (signed && (x & signBit) != 0) x -= (1 << bitsStored);
            v[i] = x;
        }
        return v;
    }

    /** Modality LUT (Rescale Slope/Intercept) as a function; applied per pixel to keep one int[] in memory. */
    private record Rescale(double slope, double intercept) {
        static Rescale of(AttributeList l) {
            double slope = doubleValue(l, TagFromName.RescaleSlope, 1.0);
            double intercept = doubleValue(l, TagFromName.RescaleIntercept, 0.0);
            if (!Double.isFinite(slope) || slope == 0.0) slope = 1.0;
            if (!Double.isFinite(intercept)) intercept = 0.0;
            return new Rescale(slope, intercept);
        }

        double apply(int stored) {
            return stored * slope + intercept;
        }
    }

    /** Modality LUT, then VOI, to 0..255. */
    private static byte[] voi(AttributeList l, int[] stored) throws Exception {
        Rescale m = Rescale.of(l);
        int n = stored.length;
        byte[] out = new byte[n];
        double[] centres = Attribute.getDoubleValues(l, TagFromName.WindowCenter);
        double[] widths = Attribute.getDoubleValues(l, TagFromName.WindowWidth);
        if (centres != null && widths != null && centres.length > 0 && widths.length > 0
                && Double.isFinite(centres[0]) && Double.isFinite(widths[0])) {
            double c = centres[0];
            double w = widths[0];
            String function = upper(string(l, TagFromName.VOILUTFunction));
            if ("SIGMOID".equals(function) && w > 0) {
                for (int i = 0; i < n; i++) out[i] = clamp(255.0 / (1.0 + Math.exp(-4.0 * (m.apply(stored[i]) - c) / w)));
                return out;
            }
            if ("LINEAR_EXACT".equals(function) && w > 0) {
                double lo = c - w / 2;
                double hi = c + w / 2;
                for (int i = 0; i < n; i++) {
                    double x = m.apply(stored[i]);
                    out[i] = x <= lo ? 0 : x > hi ? (byte) 255 : clamp((x - c) / w * 255.0 + 127.5);
                }
                return out;
            }
            if (w >= 1) { // LINEAR, PS3.3 C.11.2.1.2.1
                double lo = c - 0.5 - (w - 1) / 2;
                double hi = c - 0.5 + (w - 1) / 2;
                for (int i = 0; i < n; i++) {
                    double x = m.apply(stored[i]);
                    if (x <= lo) out[i] = 0;
                    else if (x > hi) out[i] = (byte) 255;
                    else out[i] = clamp(((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0);
                }
                return out;
            }
        }
        if (l.get(TagFromName.VOILUTSequence) instanceof SequenceAttribute seq && seq.getNumberOfItems() > 0) {
            byte[] viaLut = voiLutSequence(seq.getItem(0).getAttributeList(), stored, m);
            if (viaLut != null) return viaLut;
        }
        // No VOI at all: 8-bit data with an identity modality LUT is already display-ready (as a PNG/JPEG source
        // would be); stretching it to its own min-max would change what the model sees.
        if (Attribute.getSingleIntegerValueOrDefault(l, TagFromName.BitsStored, 16) <= 8 && m.slope == 1.0
                && m.intercept == 0.0) {
            for (int i = 0; i < n; i++) out[i] = clamp(stored[i]);
            return out;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int v : stored) {
            double x = m.apply(v);
            if (x < min) min = x;
            if (x > max) max = x;
        }
        double range = max - min;
        for (int i = 0; i < n; i++) out[i] = range <= 0 ? 0 : clamp((m.apply(stored[i]) - min) / range * 255.0);
        return out;
    }

    /** First VOI LUT Sequence item (LUT Descriptor + LUT Data); null if unusable. */
    private static byte[] voiLutSequence(AttributeList item, int[] stored, Rescale m) throws Exception {
        int[] descriptor = Attribute.getIntegerValues(item, TagFromName.LUTDescriptor);
        Attribute dataAttribute = item.get(TagFromName.LUTData);
        if (descriptor == null || descriptor.length < 3 || dataAttribute == null) return null;
        int entries = descriptor[0] == 0 ? 65536 : descriptor[0] & 0xffff;
        int first = descriptor[1];
        if (first > 32767) first -= 65536; // first mapped value is signed if the pixels are; harmless otherwise
        int bits = descriptor[2];
        if (bits < 1 || bits > 16) return null;
        int[] data;
        short[] shorts = dataAttribute.getShortValues();
        if (shorts != null && shorts.length >= entries) {
            data = new int[entries];
            for (int i = 0; i < entries; i++) data[i] = shorts[i] & 0xffff;
        } else {
            int[] ints = dataAttribute.getIntegerValues();
            if (ints == null || ints.length < entries) return null;
            data = ints;
        }
        double scale = 255.0 / ((1 << bits) - 1);
        byte[] out = new byte[stored.length];
        for (int i = 0; i < stored.length; i++) {
            long index = Math.round(m.apply(stored[i])) - first;
            int k = (int) Math.max(0, Math.min(entries - 1, index));
            out[i] = clamp((data[k] & ((1 << bits) - 1)) * scale);
        }
        return out;
    }

    private static byte clamp(double v) {
        long r = Math.round(v);
        return (byte) (r < 0 ? 0 : r > 255 ? 255 : r);
    }

    private static String string(AttributeList l, AttributeTag tag) {
        String s = Attribute.getSingleStringValueOrNull(l, tag);
        if (s == null) return null;
        s = s.strip();
        return s.isEmpty() ? null : s;
    }

    private static String upper(String s) {
        return s == null ? null : s.toUpperCase(Locale.ROOT);
    }

    private static int intValue(AttributeList l, AttributeTag tag, int dflt) {
        try {
            return Attribute.getSingleIntegerValueOrDefault(l, tag, dflt);
        } catch (RuntimeException e) {
            return dflt;
        }
    }

    private static double doubleValue(AttributeList l, AttributeTag tag, double dflt) {
        double[] v = Attribute.getDoubleValues(l, tag);
        return v == null || v.length == 0 ? dflt : v[0];
    }
}
