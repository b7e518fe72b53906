package io.alveolus.interop;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The metadata half of the applicability gate: may the pneumonia model read this DICOM instance at all?
 * Only projection radiographs (CR, DX, and secondary captures of them) of the chest, frontal (PA/AP), original
 * images. An absent attribute does not refuse (many modalities leave BodyPartExamined or ViewPosition empty);
 * the image-based gate then decides. Pure and cheap: run before any pixel is decoded.
 */
public final class DicomApplicability {

    /** SOP classes of projection radiographs (CR, DX for presentation/processing, DX mammo excluded). */
    static final Set<String> RADIOGRAPH_SOP_CLASSES = Set.of(
            "1.2.840.10008.5.1.4.1.1.1",        // Computed Radiography Image Storage
            "1.2.840.10008.5.1.4.1.1.1.1",      // Digital X-Ray Image Storage - For Presentation
            "1.2.840.10008.5.1.4.1.1.1.1.1",    // Digital X-Ray Image Storage - For Processing
            "1.2.840.10008.5.1.4.1.1.7");       // Secondary Capture (a radiograph exported as SC)
    static final Set<String> RADIOGRAPH_MODALITIES = Set.of("CR", "DX", "OT");
    static final Set<String> FRONTAL_VIEWS = Set.of("PA", "AP");
    static final Set<String> CHEST = Set.of("CHEST", "THORAX", "LUNG", "PORT CHEST");

    private DicomApplicability() {
    }

    /**
     * @return the reason this instance is not applicable, or empty if its metadata allows reading it
     */
    public static Optional<String> refusal(String sopClassUid, String modality, String viewPosition,
                                           String bodyPartExamined, String imageType) {
        if (present(sopClassUid) && !RADIOGRAPH_SOP_CLASSES.contains(sopClassUid.trim())) {
            return Optional.of("not a projection radiograph (SOP class " + sopClassUid.trim() + ")");
        }
        if (present(modality) && !RADIOGRAPH_MODALITIES.contains(upper(modality))) {
            return Optional.of("modality " + upper(modality) + " is not a chest radiograph (CR/DX)");
        }
        if (present(viewPosition) && !FRONTAL_VIEWS.contains(upper(viewPosition))) {
            return Optional.of("view " + upper(viewPosition) + " is not frontal (PA/AP)");
        }
        if (present(bodyPartExamined) && !CHEST.contains(upper(bodyPartExamined))) {
            return Optional.of("body part " + upper(bodyPartExamined) + " is not the chest");
        }
        if (present(imageType)) {
            String t = upper(imageType);
            if (t.contains("LOCALIZER") || t.contains("SCOUT")) {
                return Optional.of("image type " + t + " is a localizer, not a diagnostic radiograph");
            }
        }
        return Optional.empty();
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private static String upper(String s) {
        return s.trim().toUpperCase(Locale.ROOT);
    }
}
