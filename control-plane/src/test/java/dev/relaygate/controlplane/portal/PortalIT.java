package dev.relaygate.controlplane.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import dev.relaygate.controlplane.testsupport.IntegrationTest;

/** The customer portal as the control plane serves it: public configuration, the page, its assets, its headers. */
class PortalIT extends IntegrationTest {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
    };

    private static final Pattern SCRIPT = Pattern.compile("src=\"(/portal/assets/[^\"]+\\.js)\"");

    @Test
    void configNamesTheIdentityProviderAndNeedsNoToken() {
        Map<String, Object> config = http.get().uri("/portal/config")
            .exchange()
            .expectStatus().isOk()
            .expectBody(JSON_OBJECT).returnResult().getResponseBody();

        assertThat(config).containsOnlyKeys("signIn");
        @SuppressWarnings("unchecked")
        Map<String, Object> signIn = (Map<String, Object>) config.get("signIn");
        assertThat(signIn).containsEntry("authorizationEndpoint", PORTAL_ISSUER + "/authorize")
            .containsEntry("tokenEndpoint", PORTAL_ISSUER + "/oauth/token")
            .containsEntry("clientId", "portal-it")
            .containsEntry("scope", "openid email");
    }

    @Test
    void pageIsServedWithItsSecurityHeaders() {
        EntityExchangeResult<String> page = http.get().uri("/portal/")
            .exchange()
            .expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
            .expectBody(String.class).returnResult();

        HttpHeaders headers = page.getResponseHeaders();
        String csp = headers.getFirst("Content-Security-Policy");
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
            // The browser trades the sign-in code at the provider's token endpoint, and talks to nothing else.
            .contains("connect-src 'self' " + PORTAL_ISSUER + ";")
            .doesNotContain("unsafe-inline", "unsafe-eval", "*");
        assertThat(headers.getFirst("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(headers.getFirst("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(headers.getFirst("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.getResponseBody()).contains("<div id=\"app\">").doesNotContain("<script>");
    }

    @Test
    void scriptsTheBuildProducedAreServedWithTheSameHeaders() {
        String page = http.get().uri("/portal/").exchange().expectBody(String.class).returnResult().getResponseBody();
        Matcher script = SCRIPT.matcher(page);
        assertThat(script.find()).as("the page names its script: %s", page).isTrue();

        http.get().uri(script.group(1))
            .exchange()
            .expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith("text/javascript")
            .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
            .expectHeader().exists("Content-Security-Policy");
    }

    @Test
    void portalWithoutItsSlashRedirectsToThePage() {
        http.get().uri("/portal").exchange()
            .expectStatus().isEqualTo(301)
            .expectHeader().valueEquals(HttpHeaders.LOCATION, "/portal/");
    }

    @Test
    void theApiKeepsRequiringATokenAndGetsNoPortalPolicy() {
        http.get().uri("/v1/organizations").exchange()
            .expectStatus().isUnauthorized()
            .expectHeader().doesNotExist("Content-Security-Policy");
    }
}
