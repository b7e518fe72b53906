package io.alveolus.results.feedback;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.ClinicalTrialsAttributes;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.ValueRepresentation;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * De-identifies one original for a feedback export.
 * <p>
 * DICOM: the Basic Application Level Confidentiality Profile of PS3.15 Annex E with the Retain Patient
 * Characteristics Option (age and sex stay: the model's population depends on them). PixelMed's
 * {@code ClinicalTrialsAttributes.removeOrNullIdentifyingAttributes} removes or empties the profile's identifying
 * attributes (names, ids, birth date, accession, institution, physicians, operators, device identity, descriptors,
 * free text) and, with {@code HandleDates.remove}, every date and time; private attributes, overlays and curves are
 * removed before it. Its own UID remapping is not used (a JVM-wide map with PixelMed's root, the same replacement in
 * every export): every instance UID is replaced here by a {@code 2.25.} UID derived with the export's key, so the
 * images of one study stay one study within the export only. Class, transfer syntax and other UIDs under the DICOM
 * root (1.2.840.10008) are kept. The Patient ID becomes the export's patient key. An image whose Burned In
 * Annotation is not exactly NO (absent included) may carry identity in its pixels, which this profile does not clean:
 * it is left out. Pixel data is kept as it was encoded (not decompressed).
 * <p>
 * PNG/JPEG: decoded and written again as a PNG with no metadata (only the image chunks).
 */
final class Deidentifier {
    static final String PROFILE = "DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile";
    /** DeidentificationMethod is LO (at most 64 characters a value): one value per step. */
    static final String[] METHOD = {"Alveolus feedback export", "PS3.15 E Basic Application Confidentiality Profile",
            "Retain Patient Characteristics Option", "Dates and times removed", "UIDs replaced (2.25, per export)",
            "Private attributes, overlays and curves removed"};
    private static final String DICOM_ROOT = "1.2.840.10008.";

    private Deidentifier() {
    }

    /** What became of one original. */
    sealed interface Result permits Included, BurnedIn, Unreadable {
    }

    record Included(byte[] bytes, String extension) implements Result {
    }

    record BurnedIn() implements Result {
    }

    record Unreadable(String why) implements Result {
    }

    static Result dicom(byte[] original, String patientKey, ExportKey key) {
        try {
            AttributeList list = new AttributeList();
            list.setDecompressPixelData(false);
            try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(original))) {
                list.read(in);
            }
            String burnedIn = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.BurnedInAnnotation);
            if (!"NO".equals(burnedIn.trim().toUpperCase(Locale.ROOT))) {
                return new BurnedIn();
            }
            if (list.get(TagFromName.PixelData) == null) {
                return new Unreadable("no pixel data");
            }
            String transferSyntax = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID);
            if (transferSyntax.isEmpty()) {
                transferSyntax = TransferSyntax.ExplicitVRLittleEndian;
            }
            list.removeMetaInformationHeaderAttributes();
            list.removePrivateAttributes();
            list.removeOverlayAttributes();
            list.removeCurveAttributes();
            ClinicalTrialsAttributes.removeOrNullIdentifyingAttributes(list, ClinicalTrialsAttributes.HandleUIDs.keep,
                    false, false, false, true, false, false, ClinicalTrialsAttributes.HandleDates.remove, null, null);
            replaceUids(list, key);
            putString(list, TagFromName.PatientID, patientKey);
            putString(list, TagFromName.DeidentificationMethod, METHOD);
            SequenceAttribute codes = new SequenceAttribute(TagFromName.DeidentificationMethodCodeSequence);
            codes.addItem(new CodedSequenceItem("113100", "DCM", "Basic Application Confidentiality Profile")
                    .getAttributeList());
            codes.addItem(new CodedSequenceItem("113108", "DCM", "Retain Patient Characteristics Option")
                    .getAttributeList());
            list.put(codes);
            putString(list, TagFromName.PatientIdentityRemoved, "YES");
            FileMetaInformation.addFileMetaInformation(list, transferSyntax, "ALVEOLUS");
            ByteArrayOutputStream out = new ByteArrayOutputStream(original.length + 1024);
            list.write(out, transferSyntax, true, true);
            return new Included(out.toByteArray(), "dcm");
        } catch (IOException | DicomException | RuntimeException e) {
            return new Unreadable(e.getClass().getSimpleName());
        }
    }

    static Result picture(byte[] original) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(original));
            if (image == null) {
                return new Unreadable("not a readable PNG or JPEG");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return new Included(out.toByteArray(), "png");
        } catch (IOException | RuntimeException e) {
            return new Unreadable(e.getClass().getSimpleName());
        }
    }

    /** Every instance UID, at any depth, replaced by its export-specific {@code 2.25.} UID. */
    private static void replaceUids(AttributeList list, ExportKey key) throws DicomException {
        for (Attribute a : new ArrayList<>(list.values())) {
            if (a instanceof SequenceAttribute seq) {
                Iterator<?> items = seq.iterator();
                while (items.hasNext()) {
                    replaceUids(((SequenceItem) items.next()).getAttributeList(), key);
                }
            } else if (ValueRepresentation.isUniqueIdentifierVR(a.getVR()) && !keepsUid(a.getTag())) {
                String[] values = a.getStringValues();
                if (values == null) {
                    continue;
                }
                List<String> replaced = new ArrayList<>();
                for (String v : values) {
                    String uid = v.trim();
                    replaced.add(uid.isEmpty() || uid.startsWith(DICOM_ROOT) ? uid : key.uid(uid));
                }
                a.removeValues();
                for (String v : replaced) {
                    a.addValue(v);
                }
            }
        }
    }

    /** What an object is, not which one: SOP classes, transfer syntaxes, coding schemes. */
    private static boolean keepsUid(AttributeTag tag) {
        String name = DicomDictionary.StandardDictionary.getNameFromTag(tag);
        return name != null && (name.endsWith("ClassUID") || name.contains("TransferSyntax")
                || name.contains("CodingScheme"));
    }

    private static void putString(AttributeList list, AttributeTag tag, String... values) throws DicomException {
        Attribute a = list.get(tag);
        if (a == null) {
            a = list.putNewAttribute(tag);
        }
        a.removeValues();
        for (String v : values) {
            a.addValue(v);
        }
    }
}
