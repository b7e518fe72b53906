package io.alveolus.portal.client;

import io.quarkus.oidc.AccessTokenCredential;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;

/** Sends the logged-in user's access token, so the backend services apply that user's tenant and roles. */
public class UserTokenPropagation implements ClientRequestFilter {
    @Inject
    Instance<AccessTokenCredential> token;

    @Override
    public void filter(ClientRequestContext request) {
        if (token.isResolvable()) {
            request.getHeaders().putSingle("Authorization", "Bearer " + token.get().getToken());
        }
    }
}
