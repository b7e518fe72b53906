/** Plans and subscriptions: what a tenant may send (quotas, lanes) and the plan catalogue. */
package io.alveolus.results.subscription;
