/** The audit trail: who read or changed what, read back for a tenant's admins. */
package io.alveolus.results.audit;
