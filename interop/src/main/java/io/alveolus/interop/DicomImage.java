package io.alveolus.interop;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
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
 * <p>Every failure is a {@link DicomRejected}; no unchecked exception escapes for any input bytes.
 */
public final class DicomImage {

    /** Largest image accepted (rows x columns): 64 megapixels, well above any radiograph (about 4300 x 4300). */
    public static final long MAX_PIXELS = 64L * 1024 * 1024;

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
     * Decodes a DICOM Part 10 object (128-byte preamble, "DICM", file meta information, data set).
     *
     * @throws DicomRejected when the bytes are not DICOM, are malformed, or are not a single-frame frontal CR/DX
     *                       greyscale image; {@link DicomRejected#code()} says which
     */
    public static DecodedDicom decode(byte[] part10) throws DicomRejected {
        if (part10 == null || part10.length == 0) {
            throw new DicomRejected(DicomRejected.Code.NOT_DICOM, "empty input");
        }
        if (part10.length < 132 || part10[128] != 'D' || part10[129] != 'I' || part10[130] != 'C' || part10[131] != 'M') {
            throw new DicomRejected(DicomRejected.Code.NOT_DICOM,
                    "not a DICOM Part 10 file: no 'DICM' prefix after the 128-byte preamble");
        }
        try {
            return decodeChecked(part10);
        } catch (DicomRejected e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new DicomRejected(DicomRejected.Code.OUT_OF_RESOURCES, "not enough memory to decode the image", e);
        } catch (Exception | StackOverflowError e) {
            // Parsers throw all kinds of runtime exceptions on hostile input; none may escape.
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "cannot parse the DICOM object: " + describe(e), e);
        } catch (VirtualMachineError | LinkageError e) {
            throw e; // the JVM or the deployment, not the input
        } catch (Error e) {
            // Codecs report corrupt data with a plain java.lang.Error too: jj2000 (JPEG 2000) throws
            // "IO Error when reading tile 0 x 0" for a damaged code stream (found by DicomDecoderFuzzTest).
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "cannot decode the pixel data: " + describe(e), e);
        }
    }

    private static DecodedDicom decodeChecked(byte[] part10) throws Exception {
        // 1. Header only (everything before Pixel Data): metadata, and the transfer syntax check before decompressing.
        AttributeList header = new AttributeList();
        try {
            header.read(new DicomInputStream(new ByteArrayInputStream(part10)), TagFromName.PixelData);
        } catch (Exception e) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "cannot parse the DICOM header: " + describe(e), e);
        }
        DicomMetadata metadata = metadata(header);
        checkTransferSyntax(metadata);
        checkCodeStreamSize(part10, metadata);

        // 2. Whole object, pixel data decompressed by PixelMed. A file cut short anywhere ends up here without
        //    Pixel Data (PixelMed stops quietly at the end of the input), so this comes before the scope checks.
        AttributeList list = new AttributeList();
        try {
            list.read(new DicomInputStream(new ByteArrayInputStream(part10)));
        } catch (Exception e) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "cannot read the pixel data: " + describe(e), e);
        }
        if (list.getPixelData() == null) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "no Pixel Data (7FE0,0010): truncated file?");
        }

        // 3. Refuse what is out of scope.
        checkScope(header, metadata);
        if (metadata.rows() <= 0 || metadata.columns() <= 0) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "Rows/Columns missing or zero");
        }
        if ((long) metadata.rows() * metadata.columns() > MAX_PIXELS) {
            throw new DicomRejected(DicomRejected.Code.UNSUPPORTED_PIXEL_FORMAT, "image of " + metadata.rows() + "x"
                    + metadata.columns() + " pixels exceeds the limit of " + MAX_PIXELS + " pixels");
        }
        int bitsAllocated = intValue(header, TagFromName.BitsAllocated, 0);
        int bitsStored = metadata.bitsStored();
        int pixelRepresentation = intValue(header, TagFromName.PixelRepresentation, 0);
        if (bitsAllocated != 8 && bitsAllocated != 16) {
            throw new DicomRejected(DicomRejected.Code.UNSUPPORTED_PIXEL_FORMAT,
                    "Bits Allocated " + bitsAllocated + " not supported (8 or 16)");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED,
                    "Bits Stored " + bitsStored + " inconsistent with Bits Allocated " + bitsAllocated);
        }
        if (pixelRepresentation != 0 && pixelRepresentation != 1) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "Pixel Representation " + pixelRepresentation);
        }

        // 4. Pixels.
        Attribute pixelData = list.getPixelData();
        if (pixelData == null) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "no Pixel Data (7FE0,0010)");
        }
        String ts = metadata.transferSyntaxUid();
        boolean encapsulated = !ts.equals("1.2.840.10008.1.2") && !ts.equals("1.2.840.10008.1.2.1")
                && !ts.equals("1.2.840.10008.1.2.2") && !ts.equals("1.2.840.10008.1.2.1.99");
        long expectedBytes = (long) metadata.rows() * metadata.columns() * (bitsAllocated / 8);
        if (!encapsulated && pixelData.getVL() < expectedBytes) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "Pixel Data holds " + pixelData.getVL()
                    + " bytes, " + expectedBytes + " expected for " + metadata.rows() + "x" + metadata.columns());
        }

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

    /**
     * JPEG and JPEG 2000 pixel data: the code stream's own frame size must be the header's Columns x Rows, checked
     * before the codec allocates it. Found by DicomDecoderFuzzTest: a 3.6 KB JPEG 2000 object whose header says 64x64
     * but whose code stream (SIZ) declares a huge image made jai-imageio's J2KReadState.initializeRead run out of memory.
     * Only refuses what it can read; a code stream it cannot find or parse is left to the decoder. Also for RLE: no
     * fragment may claim more bytes than the file holds (found by DicomDecoderFuzzTest: PixelMed's
     * EncapsulatedInputStream allocates a fragment's declared length, a 3.8 KB JPEG lossless object ran it out of
     * memory).
     */
    private static void checkCodeStreamSize(byte[] b, DicomMetadata m) throws DicomRejected {
        String ts = m.transferSyntaxUid();
        boolean j2k = ts.equals("1.2.840.10008.1.2.4.90") || ts.equals("1.2.840.10008.1.2.4.91");
        boolean jpeg = ts.equals("1.2.840.10008.1.2.4.50") || ts.equals("1.2.840.10008.1.2.4.57")
                || ts.equals("1.2.840.10008.1.2.4.70");
        if (!j2k && !jpeg && !ts.equals("1.2.840.10008.1.2.5")) return;
        int at = firstFragment(b);
        if (at < 0 || !(j2k || jpeg)) return;
        long[] size = j2k ? j2kSize(b, at) : jpegSize(b, at);
        if (size != null && (size[0] != m.columns() || size[1] != m.rows())) {
            throw new DicomRejected(DicomRejected.Code.MALFORMED, "the pixel data's code stream is " + size[0] + "x"
                    + size[1] + " pixels, the header says " + m.columns() + "x" + m.rows());
        }
    }

    /**
     * Start of the first pixel data fragment of (7FE0,0010) OB of undefined length (explicit VR little endian), -1 if
     * not found; refuses a fragment (or offset table) whose declared length runs past the end of the file.
     */
    private static int firstFragment(byte[] b) throws DicomRejected {
        byte[] tag = {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, -1, -1, -1, -1};
        outer:
        for (int i = 132; i + tag.length <= b.length; i++) {
            for (int k = 0; k < tag.length; k++) if (b[i + k] != tag[k]) continue outer;
            int first = -1;
            for (int p = i + tag.length, item = 0; p + 8 <= b.length; item++) {
                if ((b[p] & 0xff) != 0xFE || (b[p + 1] & 0xff) != 0xFF) return first;
                int element = (b[p + 2] & 0xff) | (b[p + 3] & 0xff) << 8;
                if (element == 0xE0DD) return first; // sequence delimitation item
                if (element != 0xE000) return first;
                long length = u32le(b, p + 4);
                if (length > b.length - (p + 8L)) {
                    throw new DicomRejected(DicomRejected.Code.MALFORMED, "a pixel data fragment declares " + length
                            + " bytes, more than the file holds after it (" + (b.length - (p + 8L)) + ")");
                }
                if (item == 1) first = p + 8;
                p += 8 + (int) length;
            }
            return first;
        }
        return -1;
    }

    /** Width and height from a JPEG frame header (SOF0-SOF15 but DHT, JPG, DAC), null if none before the scan. */
    private static long[] jpegSize(byte[] b, int at) {
        if (at + 2 > b.length || (b[at] & 0xff) != 0xFF || (b[at + 1] & 0xff) != 0xD8) return null;
        int i = at + 2;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xff) != 0xFF) return null;
            int marker = b[i + 1] & 0xff;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                i += 2;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) return null;
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (i + 9 > b.length) return null;
                return new long[] {u16be(b, i + 7), u16be(b, i + 5)};
            }
            i += 2 + u16be(b, i + 2);
        }
        return null;
    }

    /** Width and height from a JPEG 2000 code stream's SIZ marker segment (right after SOC), null if none. */
    private static long[] j2kSize(byte[] b, int at) {
        if (at + 24 > b.length || (b[at] & 0xff) != 0xFF || (b[at + 1] & 0xff) != 0x4F || (b[at + 2] & 0xff) != 0xFF
                || (b[at + 3] & 0xff) != 0x51) {
            return null;
        }
        return new long[] {u32be(b, at + 8) - u32be(b, at + 16), u32be(b, at + 12) - u32be(b, at + 20)};
    }

    private static int u16be(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    private static long u32be(byte[] b, int i) {
        return (long) u16be(b, i) << 16 | u16be(b, i + 2);
    }

    private static long u32le(byte[] b, int i) {
        return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
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

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
