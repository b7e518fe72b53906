/** Analyses of the caller's tenant: the results API, its image and heat-map streams, FHIR reports, reviews; heat maps drawn from the stored activation grid. */
package io.alveolus.results.analysis;
