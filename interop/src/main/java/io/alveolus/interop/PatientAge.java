package io.alveolus.interop;

import java.time.LocalDate;
import java.time.Period;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A patient's age in whole years at the study, from DICOM PatientAge (AS: {@code nnnD|W|M|Y}) or else from
 * PatientBirthDate and StudyDate (DA: {@code YYYYMMDD}). Only the age travels on: the birth date is not kept.
 */
public final class PatientAge {

    private static final Pattern AS = Pattern.compile("^(\\d{3})([DWMY])$");
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    /** Oldest age accepted; anything above is treated as unknown, not clamped. */
    public static final int MAX_YEARS = 130;

    private PatientAge() {
    }

    public static Optional<Integer> years(String patientAge, String birthDate, String studyDate) {
        Optional<Integer> fromAs = fromAgeString(patientAge);
        return fromAs.isPresent() ? fromAs : fromDates(birthDate, studyDate);
    }

    static Optional<Integer> fromAgeString(String as) {
        if (as == null) {
            return Optional.empty();
        }
        Matcher m = AS.matcher(as.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        int n = Integer.parseInt(m.group(1));
        int years = switch (m.group(2)) {
            case "Y" -> n;
            case "M" -> n / 12;
            case "W" -> n / 52;
            default -> n / 365;
        };
        return years <= MAX_YEARS ? Optional.of(years) : Optional.empty();
    }

    static Optional<Integer> fromDates(String birth, String study) {
        if (birth == null || study == null || birth.isBlank() || study.isBlank()) {
            return Optional.empty();
        }
        try {
            LocalDate b = LocalDate.parse(birth.trim(), DA);
            LocalDate s = LocalDate.parse(study.trim(), DA);
            if (s.isBefore(b)) {
                return Optional.empty();
            }
            int years = Period.between(b, s).getYears();
            return years <= MAX_YEARS ? Optional.of(years) : Optional.empty();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
