/**
 * Radiologists' reviews as curated training data (issue 16, part 5): a tenant's data-use agreement (requested by its
 * admin, granted by a platform operator, ended by either; audited in the tenant's trail) and the operator's export
 * of the tenant's reviewed, completed studies under an ACTIVE agreement as a de-identified zip (DICOM PS3.15 Annex E
 * basic profile, burned-in annotation left out, PNG without metadata), with the radiologists' labels, the model's
 * output, patient-disjoint keys and a provenance manifest, stored outside every tenant prefix.
 */
package io.alveolus.results.feedback;
