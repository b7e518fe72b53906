package io.alveolus.interop.report;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TransferSyntax;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** DICOM Part 10 bytes (file meta + dataset) as STOW-RS and C-STORE send them, and back. */
public final class Part10 {
    /** The AE title written as Source Application Entity Title into the file meta information. */
    public static final String SOURCE_AE = "ALVEOLUS";

    private Part10() {
    }

    /** {@code dataset} (left unchanged) with file meta information, Explicit VR Little Endian. */
    public static byte[] bytes(AttributeList dataset) {
        try {
            AttributeList copy = new AttributeList();
            copy.putAll(dataset);
            FileMetaInformation.addFileMetaInformation(copy, TransferSyntax.ExplicitVRLittleEndian, SOURCE_AE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
            return out.toByteArray();
        } catch (DicomException | IOException e) {
            throw new IllegalStateException("cannot encode the DICOM object", e);
        }
    }

    /** Parses a Part 10 object's attributes up to its pixel data (the identity a result copies, not the image). */
    public static AttributeList readHeader(byte[] part10) throws IOException, DicomException {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
            list.read(in, com.pixelmed.dicom.TagFromName.PixelData);
        }
        return list;
    }

    /** Parses a Part 10 object (or a bare dataset) with all its attributes, pixel data included. */
    public static AttributeList read(byte[] part10) throws IOException, DicomException {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
            list.read(in);
        }
        return list;
    }
}
