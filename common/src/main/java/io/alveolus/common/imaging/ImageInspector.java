package io.alveolus.common.imaging;

import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Checks a PNG or JPEG before anything is stored, at header and structure level only: nothing is inflated or
 * decoded, so it costs a walk over the bytes (a CRC for PNG), never the image's pixels. The limits are
 * {@link ImageLimits}'s, checked from the header before anything else is read.
 *
 * <ul>
 *   <li>PNG: signature; every chunk's length within the file and its CRC right; IHDR first and valid (bit depth and
 *       colour type a legal pair, compression and filter method 0, interlace 0 or 1); at most one PLTE, before the
 *       image data, and present for a palette image; at least one IDAT, all consecutive, whose data starts with a
 *       valid zlib header; no unknown critical chunk; IEND last, empty, and nothing after it.</li>
 *   <li>JPEG: SOI; every segment's length within the file; exactly one frame header, of a process the decoder
 *       handles (baseline, extended or progressive Huffman, 8-bit), with 1 (grey) or 3 (YCbCr/RGB) components;
 *       4-component (CMYK, YCCK: Adobe) images are refused, as they decode washed out; at least one scan, each
 *       naming components of the frame; EOI last and nothing after it. Appended data (a ZIP, an HTML page: a
 *       polyglot) is refused rather than stripped, so what is stored is exactly an image.</li>
 * </ul>
 * Whether the compressed data decodes is proven by the worker, which decodes the image anyway: an image that
 * cannot be decoded ends FAILED there with the reason.
 *
 * <p>Every failure is a {@link Rejected}; no other exception escapes for any input bytes.
 */
public final class ImageInspector {
    /** @deprecated the contract's limits are {@link ImageLimits}'s; this alias stays for existing callers */
    @Deprecated
    public static final int MIN_SIDE = ImageLimits.MIN_SIDE;
    /** @deprecated see {@link ImageLimits#MAX_SIDE} */
    @Deprecated
    public static final int MAX_SIDE = ImageLimits.MAX_SIDE;
    /** @deprecated see {@link ImageLimits#MAX_PIXELS} */
    @Deprecated
    public static final long MAX_PIXELS = ImageLimits.MAX_PIXELS;

    /** Scans a progressive JPEG may have: a real one has about 10; thousands of tiny scans make the decoder crawl. */
    static final int MAX_JPEG_SCANS = 100;

    public record Inspection(ImageFormat format, int width, int height) {
    }

    /** Why an image is refused, with the HTTP status it means: 413 too large, 415 unsupported type, 422 refused. */
    public static class Rejected extends Exception {
        private final int status;

        Rejected(String reason, boolean unsupported) {
            this(reason, unsupported ? 415 : 422);
        }

        Rejected(String reason, int status) {
            super(reason, null, false, false);
            this.status = status;
        }

        /** 415: not a format Alveolus accepts (by content). */
        public boolean unsupported() {
            return status == 415;
        }

        /** 413, 415 or 422. */
        public int status() {
            return status;
        }
    }

    private ImageInspector() {
    }

    public static Inspection inspect(byte[] bytes) throws Rejected {
        if (bytes == null || bytes.length == 0) {
            throw new Rejected("the image is empty", 400);
        }
        ImageFormat format = ImageFormat.sniff(bytes)
                .orElseThrow(() -> new Rejected("not a PNG, JPEG or DICOM image (checked by its content)", true));
        if (format == ImageFormat.DICOM) {
            throw new Rejected("DICOM is checked by the DICOM decoder, not by this inspector", true);
        }
        var tooLarge = ImageLimits.fileSizeProblem(format, bytes.length);
        if (tooLarge.isPresent()) {
            throw new Rejected(tooLarge.get(), 413);
        }
        try {
            return format == ImageFormat.PNG ? png(bytes) : jpeg(bytes);
        } catch (Rejected r) {
            throw r;
        } catch (RuntimeException | StackOverflowError e) {
            // a bug in a walk must not become a 500 or name a class: the image is refused as unreadable
            throw new Rejected("the " + format + " image's structure cannot be read", false);
        }
    }

    // --- PNG -------------------------------------------------------------------------------------------------------

    private static Inspection png(byte[] b) throws Rejected {
        int pos = 8;
        int width = 0;
        int height = 0;
        int colourType = -1;
        boolean seenPlte = false;
        int idatChunks = 0;
        boolean idatEnded = false;
        int zlibHeaderBytes = 0;
        int cmf = 0;
        int flg = 0;
        boolean zlibChecked = false;
        boolean first = true;
        CRC32 crc = new CRC32();
        while (true) {
            if (b.length - pos < 12) {
                throw png("is truncated: " + (pos == b.length ? "no IEND chunk" : "a chunk is cut short"));
            }
            long length = u32(b, pos);
            if (length > b.length - pos - 12L) {
                throw png("is truncated or corrupt: a chunk's length runs past the end of the file");
            }
            int len = (int) length;
            int typeAt = pos + 4;
            for (int i = 0; i < 4; i++) {
                int c = b[typeAt + i] & 0xff;
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                    throw png("is corrupt: a chunk type is not four letters");
                }
            }
            String type = new String(b, typeAt, 4, java.nio.charset.StandardCharsets.US_ASCII);
            crc.reset();
            crc.update(b, typeAt, 4 + len);
            if (crc.getValue() != u32(b, typeAt + 4 + len)) {
                throw png("is corrupt: the CRC of its " + printable(type) + " chunk is wrong");
            }
            boolean critical = (b[typeAt] & 0x20) == 0;
            if ((b[typeAt + 2] & 0x20) != 0) {
                throw png("is corrupt: chunk " + printable(type) + " has the reserved bit set");
            }
            int data = typeAt + 4;
            if (first) {
                if (!type.equals("IHDR") || len != 13) {
                    throw png("is corrupt: it does not start with an IHDR chunk");
                }
                long w = u32(b, data);
                long h = u32(b, data + 4);
                int depth = b[data + 8] & 0xff;
                colourType = b[data + 9] & 0xff;
                int samples = switch (colourType) {
                    case 0, 3 -> 1;
                    case 2 -> 3;
                    case 4 -> 2;
                    case 6 -> 4;
                    default -> throw png("has an invalid colour type " + colourType);
                };
                boolean legal = switch (colourType) {
                    case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
                    case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
                    default -> depth == 8 || depth == 16;
                };
                if (!legal) {
                    throw png("has an invalid bit depth " + depth + " for colour type " + colourType);
                }
                if (b[data + 10] != 0 || b[data + 11] != 0 || (b[data + 12] != 0 && b[data + 12] != 1)) {
                    throw png("has an invalid compression, filter or interlace method");
                }
                if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
                    throw png("has an invalid size " + w + "x" + h);
                }
                // the limits, from the header, before anything else is looked at
                var problem = ImageLimits.pixelProblem(w, h, samples, depth);
                if (problem.isPresent()) {
                    throw new Rejected(problem.get(), false);
                }
                width = (int) w;
                height = (int) h;
                first = false;
            } else if (type.equals("IEND")) {
                if (len != 0) {
                    throw png("is corrupt: its IEND chunk is not empty");
                }
                if (idatChunks == 0 || !zlibChecked) {
                    throw png("has no image data (IDAT)");
                }
                if (colourType == 3 && !seenPlte) {
                    throw png("is a palette image without a palette (PLTE)");
                }
                if (pos + 12 != b.length) {
                    throw png("has " + (b.length - pos - 12) + " bytes after its end (IEND); nothing may follow the"
                            + " image");
                }
                return new Inspection(ImageFormat.PNG, width, height);
            } else if (type.equals("IDAT")) {
                if (idatEnded) {
                    throw png("is corrupt: its image data (IDAT) chunks are not consecutive");
                }
                idatChunks++;
                for (int i = 0; i < len && zlibHeaderBytes < 2; i++, zlibHeaderBytes++) {
                    if (zlibHeaderBytes == 0) cmf = b[data + i] & 0xff;
                    else flg = b[data + i] & 0xff;
                }
                if (zlibHeaderBytes == 2 && !zlibChecked) {
                    // zlib (RFC 1950): deflate, window up to 32 KiB, header check, no preset dictionary
                    if ((cmf & 0x0f) != 8 || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 != 0 || (flg & 0x20) != 0) {
                        throw png("is corrupt: its image data is not a zlib stream");
                    }
                    zlibChecked = true;
                }
            } else {
                if (idatChunks > 0) {
                    idatEnded = true;
                }
                if (type.equals("IHDR")) {
                    throw png("is corrupt: it has a second IHDR chunk");
                } else if (type.equals("PLTE")) {
                    if (seenPlte || idatChunks > 0 || colourType == 0 || colourType == 4) {
                        throw png("is corrupt: its palette (PLTE) is misplaced, repeated or not allowed here");
                    }
                    if (len == 0 || len % 3 != 0 || len > 768) {
                        throw png("is corrupt: its palette (PLTE) has an invalid length");
                    }
                    seenPlte = true;
                } else if (critical) {
                    throw png("has an unknown critical chunk " + printable(type) + "; it cannot be decoded safely");
                }
                // ancillary chunks (text, gamma, physical size...) are allowed and ignored
            }
            pos = data + len + 4;
        }
    }

    private static Rejected png(String what) {
        return new Rejected("the PNG image " + what, false);
    }

    private static String printable(String type) {
        return "'" + type + "'"; // four letters, checked before
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    // --- JPEG ------------------------------------------------------------------------------------------------------

    private static Inspection jpeg(byte[] b) throws Rejected {
        int pos = 2; // after SOI, checked by sniff
        int width = 0;
        int height = 0;
        boolean frame = false;
        int scans = 0;
        Set<Integer> components = new HashSet<>();
        while (true) {
            if (pos >= b.length) {
                throw jpeg("is truncated: no end-of-image marker (EOI)");
            }
            if ((b[pos] & 0xff) != 0xff) {
                throw jpeg("is corrupt: a marker was expected at byte " + pos);
            }
            while (pos < b.length && (b[pos] & 0xff) == 0xff) {
                pos++; // fill bytes before a marker
            }
            if (pos >= b.length) {
                throw jpeg("is truncated: no end-of-image marker (EOI)");
            }
            int marker = b[pos++] & 0xff;
            if (marker == 0xd9) { // EOI
                if (!frame || scans == 0) {
                    throw jpeg("ends before its " + (!frame ? "frame header" : "image data (no scan)"));
                }
                if (pos != b.length) {
                    throw jpeg("has " + (b.length - pos) + " bytes after its end (EOI); nothing may follow the image");
                }
                return new Inspection(ImageFormat.JPEG, width, height);
            }
            if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x00) {
                throw jpeg("is corrupt: unexpected marker 0x" + Integer.toHexString(0xff00 | marker).toUpperCase());
            }
            if (b.length - pos < 2) {
                throw jpeg("is truncated: a segment is cut short");
            }
            int len = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            if (len < 2 || len > b.length - pos) {
                throw jpeg("is truncated or corrupt: a segment's length runs past the end of the file");
            }
            int seg = pos + 2;        // segment data
            int segEnd = pos + len;   // first byte after the segment
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                if (frame) {
                    throw jpeg("has more than one frame header");
                }
                if (marker != 0xc0 && marker != 0xc1 && marker != 0xc2) {
                    throw jpeg("uses a coding process that is not supported (only baseline, extended and progressive"
                            + " Huffman JPEG; not lossless, hierarchical or arithmetic)");
                }
                if (len < 8) {
                    throw jpeg("is corrupt: its frame header is too short");
                }
                int precision = b[seg] & 0xff;
                int h = ((b[seg + 1] & 0xff) << 8) | (b[seg + 2] & 0xff);
                int w = ((b[seg + 3] & 0xff) << 8) | (b[seg + 4] & 0xff);
                int n = b[seg + 5] & 0xff;
                if (len != 8 + 3 * n) {
                    throw jpeg("is corrupt: its frame header's length does not match its components");
                }
                if (precision != 8) {
                    throw jpeg("has " + precision + "-bit samples; only 8-bit JPEG is supported");
                }
                if (n == 4) {
                    throw jpeg("has 4 components (CMYK or YCCK): it would not decode faithfully; send a greyscale"
                            + " or RGB image");
                }
                if (n != 1 && n != 3) {
                    throw jpeg("has " + n + " components; only greyscale (1) or colour (3) is supported");
                }
                if (w == 0 || h == 0) {
                    throw jpeg("has no width or height in its frame header");
                }
                for (int i = 0; i < n; i++) {
                    int c = seg + 6 + 3 * i;
                    int sampling = b[c + 1] & 0xff;
                    int hs = sampling >> 4;
                    int vs = sampling & 0x0f;
                    if (!components.add(b[c] & 0xff) || hs < 1 || hs > 4 || vs < 1 || vs > 4 || (b[c + 2] & 0xff) > 3) {
                        throw jpeg("is corrupt: a component of its frame header is invalid");
                    }
                }
                var problem = ImageLimits.pixelProblem(w, h, n, precision);
                if (problem.isPresent()) {
                    throw new Rejected(problem.get(), false);
                }
                width = w;
                height = h;
                frame = true;
                pos = segEnd;
            } else if (marker == 0xda) { // SOS
                if (!frame) {
                    throw jpeg("is corrupt: image data (SOS) before the frame header");
                }
                if (++scans > MAX_JPEG_SCANS) {
                    throw jpeg("has more than " + MAX_JPEG_SCANS + " scans");
                }
                int ns = len >= 3 ? b[seg] & 0xff : 0;
                if (ns < 1 || ns > 4 || len != 6 + 2 * ns) {
                    throw jpeg("is corrupt: its scan header is invalid");
                }
                for (int i = 0; i < ns; i++) {
                    if (!components.contains(b[seg + 1 + 2 * i] & 0xff)) {
                        throw jpeg("is corrupt: a scan names a component the frame does not have");
                    }
                }
                pos = entropyCodedEnd(b, segEnd);
            } else if (marker == 0xee && len >= 14 && b[seg] == 'A' && b[seg + 1] == 'd' && b[seg + 2] == 'o'
                    && b[seg + 3] == 'b' && b[seg + 4] == 'e') { // APP14 Adobe: colour transform in byte 11
                if ((b[seg + 11] & 0xff) == 2) {
                    throw jpeg("is YCCK (Adobe): it would not decode faithfully; send a greyscale or RGB image");
                }
                pos = segEnd;
            } else if ((marker >= 0xe0 && marker <= 0xef) || marker == 0xfe || marker == 0xdb || marker == 0xc4
                    || marker == 0xdd || marker == 0xcc) {
                pos = segEnd; // APPn, COM, DQT, DHT, DRI, DAC: skipped by their length
            } else {
                throw jpeg("has an unknown or unsupported marker 0x"
                        + Integer.toHexString(0xff00 | marker).toUpperCase());
            }
        }
    }

    /**
     * The position of the marker ending the entropy-coded data that starts at {@code from}: an 0xFF followed by
     * neither a stuffed 0x00 nor a restart marker.
     */
    private static int entropyCodedEnd(byte[] b, int from) throws Rejected {
        int i = from;
        int last = b.length - 1;
        while (i < last) {
            if (b[i] != (byte) 0xff) {
                i++;
                continue;
            }
            int next = b[i + 1] & 0xff;
            if (next == 0x00 || (next >= 0xd0 && next <= 0xd7)) {
                i += 2;
            } else if (next == 0xff) {
                i++; // fill byte: the marker follows
            } else {
                return i;
            }
        }
        throw jpeg("is truncated: its image data has no end (no EOI)");
    }

    private static Rejected jpeg(String what) {
        return new Rejected("the JPEG image " + what, false);
    }
}
