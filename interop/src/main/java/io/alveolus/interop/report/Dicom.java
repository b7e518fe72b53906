package io.alveolus.interop.report;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Small helpers shared by the result builders: attributes made with UTF-8 and the VR of the dictionary. */
final class Dicom {

    /** Every result object is written in UTF-8 (ISO_IR 192), whatever the source used: names survive as read. */
    static final String CHARSET = "ISO_IR 192";
    static final SpecificCharacterSet UTF8 = new SpecificCharacterSet(new String[] {CHARSET});

    static final String MANUFACTURER = "Alveolus";

    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss.SSSSSS").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DT =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSSSSS").withZone(ZoneOffset.UTC);

    private Dicom() {}

    /** Puts a (possibly empty, i.e. present with zero length) value; null leaves the attribute empty too. */
    static Attribute put(AttributeList list, AttributeTag tag, String value) throws DicomException {
        Attribute a = list.putNewAttribute(tag, UTF8);
        if (value != null && !value.isEmpty()) a.addValue(value);
        return a;
    }

    static void put(AttributeList list, AttributeTag tag, int value) throws DicomException {
        list.putNewAttribute(tag, UTF8).addValue(value);
    }

    static void putMulti(AttributeList list, AttributeTag tag, String... values) throws DicomException {
        Attribute a = list.putNewAttribute(tag, UTF8);
        for (String v : values) a.addValue(v);
    }

    static SequenceAttribute sequence(AttributeList list, AttributeTag tag) {
        SequenceAttribute s = new SequenceAttribute(tag);
        list.put(s);
        return s;
    }

    /** One item {ReferencedSOPClassUID, ReferencedSOPInstanceUID}. */
    static AttributeList sopReference(String sopClassUid, String sopInstanceUid) throws DicomException {
        AttributeList item = new AttributeList();
        put(item, TagFromName.ReferencedSOPClassUID, sopClassUid);
        put(item, TagFromName.ReferencedSOPInstanceUID, sopInstanceUid);
        return item;
    }

    /**
     * SOP Common: class, instance, UTF-8, and the UTC times. DICOM dates and times are local; Timezone Offset From
     * UTC says they are UTC here, so a PACS in any zone shows the right moment.
     */
    static void putSopCommon(AttributeList list, String sopClassUid, String sopInstanceUid, Instant created)
            throws DicomException {
        put(list, TagFromName.SpecificCharacterSet, CHARSET);
        put(list, TagFromName.SOPClassUID, sopClassUid);
        put(list, TagFromName.SOPInstanceUID, sopInstanceUid);
        put(list, TagFromName.InstanceCreationDate, date(created));
        put(list, TagFromName.InstanceCreationTime, time(created));
        put(list, TagFromName.TimezoneOffsetFromUTC, "+0000");
    }

    static String date(Instant t) {
        return DA.format(t);
    }

    static String time(Instant t) {
        return TM.format(t);
    }

    static String dateTime(Instant t) {
        return DT.format(t);
    }
}
