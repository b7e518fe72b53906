package io.alveolus.interop;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import io.alveolus.common.imaging.ImageLimits;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * A structure walk over a DICOM Part 10 object, before any DICOM library reads it: every element's length is checked
 * against the bytes that hold it (nothing is allocated from a declared length), sequences are walked to a bounded
 * depth, a deflated data set is inflated as a stream and refused past the contract's size, and the Pixel Data is
 * checked against the image header that precedes it: its size from Rows x Columns x Samples x Bits Allocated
 * (native), or its fragments' codec and size against the transfer syntax (encapsulated). Cheap: nothing is decoded.
 *
 * <p>Only the first-level values the checks need are read (Rows, Columns, Samples per Pixel, Bits Allocated, Number
 * of Frames); PixelMed reads the header afterwards, for the metadata, from an object known to be sound.
 */
final class DicomStructure {
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
    static final String DEFLATED = "1.2.840.10008.1.2.1.99";
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
    static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";
    static final String RLE = "1.2.840.10008.1.2.5";
    static final Set<String> NATIVE = Set.of(IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE, DEFLATED);

    private static final int PIXEL_DATA = 0x7fe00010;
    private static final int ITEM = 0xfffee000;
    private static final int ITEM_END = 0xfffee00d;
    private static final int SEQUENCE_END = 0xfffee0dd;
    private static final long UNDEFINED = 0xffffffffL;
    private static final int MAX_DEPTH = 12;
    /** Tiles a JPEG 2000 codestream may have: tiny tiles make the decoder's per-tile work explode. */
    private static final long MAX_J2K_TILES = 4096;
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
            "UR", "UT", "UV");

    /** What the walk found: the transfer syntax, and where the native pixels lie (for the blank-image check). */
    record Walk(String transferSyntax, int rows, int columns, int samples, int bitsAllocated, boolean encapsulated,
                long pixelOffset, long pixelLength) {
    }

    private final Source in;
    private final String ts;
    private int rows = -1;
    private int columns = -1;
    private int samples = 1;
    private int bitsAllocated = -1;
    private int frames = 1;
    private boolean pixelsSeen;
    private boolean encapsulated;
    private long pixelOffset = -1;
    private long pixelLength;
    private long otherBytes;

    private DicomStructure(Source in, String ts) {
        this.in = in;
        this.ts = ts;
    }

    /** Walks the object; a refusal says why. The preamble and "DICM" are checked by the caller. */
    static Walk walk(byte[] part10) throws DicomRejected {
        try {
            ArraySource meta = new ArraySource(part10, 132);
            String ts = metaHeader(meta);
            if (ts == null) {
                throw malformed("no Transfer Syntax UID in the file meta information");
            }
            if (!DicomImage.SUPPORTED_TRANSFER_SYNTAXES.containsKey(ts)) {
                throw new DicomRejected(DicomRejected.Code.UNSUPPORTED_TRANSFER_SYNTAX, "transfer syntax " + ts
                        + " not supported; send uncompressed, JPEG baseline/lossless, JPEG 2000 or RLE");
            }
            Source data = ts.equals(DEFLATED) ? new StreamSource(new InflaterInputStream(
                    new ByteArrayInputStream(part10, meta.pos, part10.length - meta.pos), new Inflater(true), 8192))
                    : new ArraySource(part10, meta.pos);
            DicomStructure w = new DicomStructure(data, ts);
            w.dataSet(-1, 0, !ts.equals(IMPLICIT_LE), ts.equals(EXPLICIT_BE), true);
            if (!w.pixelsSeen) {
                throw malformed("no Pixel Data (7FE0,0010): truncated file?");
            }
            return new Walk(ts, w.rows, w.columns, w.samples, w.bitsAllocated, w.encapsulated,
                    ts.equals(DEFLATED) ? -1 : w.pixelOffset, w.pixelLength);
        } catch (InflatesTooFar e) {
            throw new DicomRejected(DicomRejected.Code.TOO_LARGE, "the deflated data set inflates to more than "
                    + ImageLimits.MAX_DICOM_FILE_BYTES + " bytes");
        } catch (EOFException e) {
            throw malformed("the file ends inside an attribute: truncated file?");
        } catch (IOException e) {
            throw malformed("the deflated data set cannot be inflated");
        }
    }

    /** Group 0002, always explicit VR little endian; returns the Transfer Syntax UID. */
    private static String metaHeader(ArraySource m) throws IOException, DicomRejected {
        String ts = null;
        int count = 0;
        while (m.remaining() >= 8 && m.peekU16LE() == 0x0002) {
            if (++count > 64) {
                throw malformed("the file meta information is not valid");
            }
            int tag = (m.u16(false) << 16) | m.u16(false);
            String vr = vr(m);
            long vl = LONG_VRS.contains(vr) ? reservedThenU32(m, false) : m.u16(false);
            if (vl == UNDEFINED || vl > 1024 * 1024) {
                throw malformed("the file meta information is not valid");
            }
            if (tag == 0x00020010) {
                ts = ascii(m.read((int) vl));
            } else {
                m.skip(vl);
            }
        }
        if (count == 0) {
            throw malformed("no file meta information after 'DICM'");
        }
        return ts;
    }

    /**
     * A data set: the top level (until the end of the input), an item of defined length (until {@code end}), or of
     * undefined length ({@code end} < 0, until an item delimiter).
     */
    private void dataSet(long end, int depth, boolean explicit, boolean bigEndian, boolean top)
            throws IOException, DicomRejected {
        if (depth > MAX_DEPTH) {
            throw malformed("sequences nested more than " + MAX_DEPTH + " deep");
        }
        while (true) {
            if (end >= 0 && in.position() >= end) {
                if (in.position() > end) throw malformed("an item's attributes run past the item's length");
                return;
            }
            if (top && in.atEnd()) {
                return;
            }
            long start = in.position();
            int tag = (in.u16(bigEndian) << 16) | in.u16(bigEndian);
            if (tag == ITEM_END) {
                if (top || end >= 0 || in.u32(bigEndian) != 0) throw malformed("a misplaced item delimiter");
                return;
            }
            if (tag == ITEM || tag == SEQUENCE_END) {
                throw malformed("an item or sequence delimiter outside a sequence");
            }
            String vr;
            long vl;
            if (explicit) {
                vr = vr(in);
                vl = LONG_VRS.contains(vr) ? reservedThenU32(in, bigEndian) : in.u16(bigEndian);
            } else {
                vr = implicitVr(tag);
                vl = in.u32(bigEndian);
            }
            if (top && tag == PIXEL_DATA) {
                pixelData(vl, bigEndian);
                continue;
            }
            if (vr.equals("SQ") || (vl == UNDEFINED && vr.equals("UN"))) {
                // an undefined-length UN is a sequence in implicit VR little endian (PS3.5 6.2.2)
                boolean unknown = vr.equals("UN");
                sequence(vl, depth + 1, !unknown && explicit, !unknown && bigEndian);
            } else if (vl == UNDEFINED) {
                throw malformed("an attribute of undefined length that is not a sequence");
            } else {
                if (top && tag >>> 16 == 0x0028 && vl <= 16) {
                    imageHeader(tag, vr, in.read((int) vl), bigEndian);
                } else {
                    in.skip(vl);
                }
            }
            if (top) {
                otherBytes += in.position() - start;
                if (otherBytes > ImageLimits.MAX_DICOM_OVERHEAD_BYTES) {
                    throw new DicomRejected(DicomRejected.Code.TOO_LARGE, "the attributes besides the pixel data"
                            + " take more than " + ImageLimits.MAX_DICOM_OVERHEAD_BYTES + " bytes");
                }
            }
        }
    }

    private void sequence(long vl, int depth, boolean explicit, boolean bigEndian) throws IOException, DicomRejected {
        long end = vl == UNDEFINED ? -1 : in.position() + vl;
        while (true) {
            if (end >= 0 && in.position() >= end) {
                if (in.position() > end) throw malformed("a sequence's items run past its length");
                return;
            }
            int tag = (in.u16(bigEndian) << 16) | in.u16(bigEndian);
            long itemLength = in.u32(bigEndian);
            if (tag == SEQUENCE_END && end < 0) {
                if (itemLength != 0) throw malformed("a sequence delimiter with a length");
                return;
            }
            if (tag != ITEM) {
                throw malformed("a sequence holds something other than items");
            }
            dataSet(itemLength == UNDEFINED ? -1 : in.position() + itemLength, depth + 1, explicit, bigEndian, false);
        }
    }

    /** Rows, Columns, Samples per Pixel, Bits Allocated (US), Number of Frames (IS). */
    private void imageHeader(int tag, String vr, byte[] v, boolean bigEndian) throws DicomRejected {
        int us = v.length >= 2 ? (bigEndian ? ((v[0] & 0xff) << 8) | (v[1] & 0xff) : ((v[1] & 0xff) << 8) | (v[0] & 0xff))
                : -1;
        switch (tag) {
            case 0x00280010 -> rows = us;
            case 0x00280011 -> columns = us;
            case 0x00280002 -> samples = us;
            case 0x00280100 -> bitsAllocated = us;
            case 0x00280008 -> {
                String s = ascii(v).strip();
                if (!s.matches("[+]?[0-9]{1,6}")) throw malformed("Number of Frames is not a number");
                frames = Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
            }
            default -> {
            }
        }
    }

    /** The image header has been read (it precedes Pixel Data): check it, then the pixel data against it. */
    private void pixelData(long vl, boolean bigEndian) throws IOException, DicomRejected {
        if (pixelsSeen) {
            throw malformed("two Pixel Data attributes");
        }
        pixelsSeen = true;
        if (rows <= 0 || columns <= 0) {
            throw malformed("Rows/Columns missing or zero");
        }
        if (frames != 1) {
            throw new DicomRejected(DicomRejected.Code.MULTI_FRAME,
                    "Number of Frames " + frames + "; only single-frame images are accepted");
        }
        if (bitsAllocated != 8 && bitsAllocated != 16) {
            throw new DicomRejected(DicomRejected.Code.UNSUPPORTED_PIXEL_FORMAT,
                    "Bits Allocated " + bitsAllocated + " not supported (8 or 16)");
        }
        if (samples != 1 && samples != 3) {
            throw new DicomRejected(DicomRejected.Code.COLOUR, samples + " samples per pixel; only greyscale"
                    + " (MONOCHROME1/2) is accepted");
        }
        if (rows < ImageLimits.MIN_SIDE || columns < ImageLimits.MIN_SIDE) {
            throw new DicomRejected(DicomRejected.Code.DEGENERATE,
                    ImageLimits.dimensionProblem(columns, rows).orElseThrow());
        }
        var problem = ImageLimits.pixelProblem(columns, rows, samples, bitsAllocated);
        if (problem.isPresent()) {
            throw new DicomRejected(DicomRejected.Code.UNSUPPORTED_PIXEL_FORMAT, problem.get());
        }
        long expected = (long) rows * columns * samples * (bitsAllocated / 8);
        String name = DicomImage.SUPPORTED_TRANSFER_SYNTAXES.get(ts);
        if (NATIVE.contains(ts)) {
            if (vl == UNDEFINED) {
                throw malformed("the transfer syntax is " + name + " (uncompressed) but the pixel data is"
                        + " encapsulated (compressed fragments)");
            }
            if (vl != expected && vl != expected + (expected & 1)) {
                throw malformed("Pixel Data holds " + vl + " bytes; " + rows + "x" + columns + "x" + samples + " at "
                        + bitsAllocated + " bits is exactly " + expected + " bytes");
            }
            pixelOffset = in.position();
            pixelLength = vl;
            in.skip(vl);
            return;
        }
        if (vl != UNDEFINED) {
            throw malformed("the transfer syntax is " + name + " but the pixel data is not encapsulated: it holds "
                    + vl + " bytes of native (uncompressed) pixels");
        }
        encapsulated = true;
        // Basic Offset Table item, then one or more fragments, then the sequence delimiter
        long total = 0;
        int fragments = 0;
        for (int item = 0; ; item++) {
            int tag = (in.u16(bigEndian) << 16) | in.u16(bigEndian);
            long length = in.u32(bigEndian);
            if (tag == SEQUENCE_END) {
                if (length != 0) throw malformed("a sequence delimiter with a length");
                break;
            }
            if (tag != ITEM || length == UNDEFINED) {
                throw malformed("the encapsulated pixel data holds something other than fragments");
            }
            total += length;
            if (total > ImageLimits.MAX_DECODED_BYTES) {
                throw new DicomRejected(DicomRejected.Code.TOO_LARGE, "the compressed pixel data is larger than "
                        + ImageLimits.MAX_DECODED_BYTES + " bytes");
            }
            if (item == 0) {
                in.skip(length); // the Basic Offset Table
                continue;
            }
            if (fragments++ == 0) {
                int head = (int) Math.min(length, 4096);
                codestream(in.read(head), name);
                in.skip(length - head);
            } else {
                in.skip(length);
            }
        }
        if (fragments == 0) {
            throw malformed("the encapsulated pixel data has no fragment");
        }
        pixelLength = total;
    }

    /** The first fragment's codec matches the transfer syntax, and its own header's size matches the image's. */
    private void codestream(byte[] f, String name) throws DicomRejected {
        switch (ts) {
            case JPEG_BASELINE, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1 -> {
                if (f.length < 4 || (f[0] & 0xff) != 0xff || (f[1] & 0xff) != 0xd8) {
                    throw mismatch(name, "its fragment is not a JPEG stream");
                }
                int p = 2;
                while (p + 4 <= f.length && (f[p] & 0xff) == 0xff) {
                    int marker = f[p + 1] & 0xff;
                    int len = ((f[p + 2] & 0xff) << 8) | (f[p + 3] & 0xff);
                    boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8
                            && marker != 0xcc;
                    if (sof && p + 10 <= f.length) {
                        boolean lossless = marker == 0xc3;
                        if (lossless != !ts.equals(JPEG_BASELINE)) {
                            throw mismatch(name, "its JPEG stream is " + (lossless ? "lossless" : "lossy"));
                        }
                        if (marker != 0xc0 && marker != 0xc1 && marker != 0xc3) {
                            throw mismatch(name, "its JPEG stream uses another coding process");
                        }
                        int h = ((f[p + 5] & 0xff) << 8) | (f[p + 6] & 0xff);
                        int w = ((f[p + 7] & 0xff) << 8) | (f[p + 8] & 0xff);
                        if (h != rows || w != columns) {
                            throw mismatch(name, "its JPEG stream is " + w + "x" + h + ", the image " + columns + "x"
                                    + rows);
                        }
                        if ((f[p + 9] & 0xff) != samples || (f[p + 4] & 0xff) > bitsAllocated) {
                            throw mismatch(name, "its JPEG stream has " + (f[p + 9] & 0xff) + " components of "
                                    + (f[p + 4] & 0xff) + " bits, the image " + samples + " of " + bitsAllocated);
                        }
                        return;
                    }
                    if (marker == 0xda || len < 2) {
                        break;
                    }
                    p += 2 + len;
                }
                throw mismatch(name, "no JPEG frame header in its first 4096 bytes");
            }
            case JPEG_2000_LOSSLESS, JPEG_2000 -> {
                int p = 0;
                if (f.length >= 12 && f[0] == 0 && f[1] == 0 && f[2] == 0 && f[3] == 12 && f[4] == 'j' && f[5] == 'P') {
                    p = indexOfSoc(f); // JP2 file format: the codestream is inside its jp2c box
                }
                if (p < 0 || p + 24 > f.length || (f[p] & 0xff) != 0xff || (f[p + 1] & 0xff) != 0x4f
                        || (f[p + 2] & 0xff) != 0xff || (f[p + 3] & 0xff) != 0x51) {
                    throw mismatch(name, "its fragment is not a JPEG 2000 codestream");
                }
                // SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz (after the 4 marker bytes)
                long xsiz = u32(f, p + 8);
                long ysiz = u32(f, p + 12);
                long xo = u32(f, p + 16);
                long yo = u32(f, p + 20);
                if (xsiz - xo != columns || ysiz - yo != rows) {
                    throw mismatch(name, "its JPEG 2000 codestream is " + (xsiz - xo) + "x" + (ysiz - yo)
                            + ", the image " + columns + "x" + rows);
                }
                // SIZ goes on: XTsiz YTsiz XTOsiz YTOsiz, Csiz, then per component Ssiz XRsiz YRsiz
                if (p + 42 > f.length) {
                    throw mismatch(name, "its JPEG 2000 size header is cut short");
                }
                long tw = u32(f, p + 24);
                long th = u32(f, p + 28);
                long txo = u32(f, p + 32);
                long tyo = u32(f, p + 36);
                int components = ((f[p + 40] & 0xff) << 8) | (f[p + 41] & 0xff);
                long tilesX = tw == 0 ? Long.MAX_VALUE : (xsiz - txo + tw - 1) / tw;
                long tilesY = th == 0 ? Long.MAX_VALUE : (ysiz - tyo + th - 1) / th;
                if (txo > xo || tyo > yo || tilesX > MAX_J2K_TILES || tilesY > MAX_J2K_TILES
                        || tilesX * tilesY > MAX_J2K_TILES) {
                    throw mismatch(name, "its JPEG 2000 tiling is invalid or has more than " + MAX_J2K_TILES
                            + " tiles");
                }
                if (components != samples || p + 42 + 3 * components > f.length) {
                    throw mismatch(name, "its JPEG 2000 codestream has " + components + " components, the image "
                            + samples);
                }
                for (int c = 0; c < components; c++) {
                    if ((f[p + 42 + 3 * c] & 0x7f) + 1 > bitsAllocated) {
                        throw mismatch(name, "its JPEG 2000 samples are deeper than Bits Allocated " + bitsAllocated);
                    }
                }
            }
            case RLE -> {
                if (f.length < 64) {
                    throw mismatch(name, "its fragment has no RLE header");
                }
                long segments = (f[0] & 0xff) | (f[1] & 0xff) << 8 | (f[2] & 0xff) << 16 | (long) (f[3] & 0xff) << 24;
                if (segments != (long) samples * (bitsAllocated / 8)) {
                    throw mismatch(name, "its RLE header has " + segments + " segments");
                }
            }
            default -> throw mismatch(name, "unknown codec");
        }
    }

    private static int indexOfSoc(byte[] f) {
        for (int i = 12; i + 3 < f.length; i++) {
            if ((f[i] & 0xff) == 0xff && (f[i + 1] & 0xff) == 0x4f && (f[i + 2] & 0xff) == 0xff
                    && (f[i + 3] & 0xff) == 0x51) {
                return i;
            }
        }
        return -1;
    }

    private static DicomRejected mismatch(String tsName, String what) {
        return malformed("the transfer syntax is " + tsName + " but the pixel data does not match it: " + what);
    }

    private static DicomRejected malformed(String message) {
        return new DicomRejected(DicomRejected.Code.MALFORMED, message);
    }

    private static String vr(Source s) throws IOException, DicomRejected {
        byte[] v = s.read(2);
        if (v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z') {
            throw malformed("an attribute has no valid value representation");
        }
        return new String(v, StandardCharsets.US_ASCII);
    }

    private static String implicitVr(int tag) {
        if ((tag & 0xffff) == 0) {
            return "UL"; // group length
        }
        try {
            byte[] b = DicomDictionary.StandardDictionary.getValueRepresentationFromTag(
                    new AttributeTag(tag >>> 16, tag & 0xffff));
            String vr = b != null && b.length == 2 ? new String(b, StandardCharsets.US_ASCII) : null;
            return vr == null ? "UN" : vr;
        } catch (RuntimeException e) {
            return "UN";
        }
    }

    private static long reservedThenU32(Source s, boolean bigEndian) throws IOException {
        s.skip(2);
        return s.u32(bigEndian);
    }

    private static String ascii(byte[] v) {
        StringBuilder b = new StringBuilder(v.length);
        for (byte x : v) {
            if (x == 0) break;
            b.append((char) (x & 0x7f));
        }
        return b.toString().strip();
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    // --- input -------------------------------------------------------------------------------------------------------

    /** Bytes read in order; {@link #skip} never allocates, {@link #read} only small values. */
    private abstract static class Source {
        abstract long position();

        abstract boolean atEnd() throws IOException;

        abstract int u8() throws IOException;

        abstract void skip(long n) throws IOException;

        byte[] read(int n) throws IOException {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte) u8();
            return b;
        }

        int u16(boolean bigEndian) throws IOException {
            int a = u8();
            int b = u8();
            return bigEndian ? (a << 8) | b : (b << 8) | a;
        }

        long u32(boolean bigEndian) throws IOException {
            long a = u16(bigEndian);
            long b = u16(bigEndian);
            return bigEndian ? (a << 16) | b : (b << 16) | a;
        }
    }

    private static final class ArraySource extends Source {
        final byte[] b;
        int pos;

        ArraySource(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        int remaining() {
            return b.length - pos;
        }

        int peekU16LE() {
            return (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
        }

        @Override
        long position() {
            return pos;
        }

        @Override
        boolean atEnd() {
            return pos >= b.length;
        }

        @Override
        int u8() throws EOFException {
            if (pos >= b.length) throw new EOFException();
            return b[pos++] & 0xff;
        }

        @Override
        byte[] read(int n) throws EOFException {
            if (n > b.length - pos) throw new EOFException();
            byte[] r = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return r;
        }

        @Override
        void skip(long n) throws EOFException {
            if (n > b.length - pos) throw new EOFException();
            pos += (int) n;
        }
    }

    /** An inflating stream, refused once it has produced more than a DICOM file may hold. */
    private static final class StreamSource extends Source {
        private final InputStream in;
        private final byte[] scratch = new byte[8192];
        private long pos;
        private int peeked = -1;

        StreamSource(InputStream in) {
            this.in = in;
        }

        @Override
        long position() {
            return pos;
        }

        @Override
        boolean atEnd() throws IOException {
            if (peeked < 0) peeked = in.read();
            return peeked < 0;
        }

        @Override
        int u8() throws IOException {
            int v = peeked >= 0 ? peeked : in.read();
            peeked = -1;
            if (v < 0) throw new EOFException();
            count(1);
            return v;
        }

        @Override
        void skip(long n) throws IOException {
            if (n > 0 && peeked >= 0) {
                u8();
                n--;
            }
            while (n > 0) {
                int r = in.read(scratch, 0, (int) Math.min(scratch.length, n));
                if (r < 0) throw new EOFException();
                count(r);
                n -= r;
            }
        }

        private void count(long n) throws IOException {
            pos += n;
            if (pos > ImageLimits.MAX_DICOM_FILE_BYTES) {
                throw new InflatesTooFar();
            }
        }
    }

    /** Inflation went past the contract's size: a decompression bomb, refused as too large. */
    static final class InflatesTooFar extends IOException {
        InflatesTooFar() {
            super(null, null);
        }
    }
}
