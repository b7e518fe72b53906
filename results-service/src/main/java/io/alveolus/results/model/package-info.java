/** The shipped model as the API describes it: version, populations, internal-test figures, intended use. */
package io.alveolus.results.model;
