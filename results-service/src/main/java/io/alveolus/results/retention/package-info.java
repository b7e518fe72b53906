/** The retention job: each tenant's analyses, heat maps and unshared images older than its retention period are deleted. */
package io.alveolus.results.retention;
