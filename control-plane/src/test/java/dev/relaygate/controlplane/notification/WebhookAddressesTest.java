package dev.relaygate.controlplane.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
            "100.64.0.1", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "::ffff:10.0.0.1",
            "64:ff9b::a00:1", "2001:db8::1" })
    void refusesAddressesThatAreNotPublic(String literal) throws Exception {
        assertThat(WebhookAddresses.isPublic(InetAddress.getByName(literal))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "93.184.216.34", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808" })
    void allowsPublicAddresses(String literal) throws Exception {
        assertThat(WebhookAddresses.isPublic(InetAddress.getByName(literal))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://example.com/x", "file:///etc/passwd", "https://user:pw@example.com/x",
            "https:///nohost", "https://example.com/x#frag", "not a url", "//example.com/x" })
    void refusesUrlsThatAreNotPlainHttp(String url) {
        assertThatThrownBy(() -> WebhookAddresses.parse(url)).isInstanceOf(WebhookAddresses.Refused.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://hooks.example.com/relaygate?token=abc", "http://example.com:8080/" })
    void acceptsHttpAndHttpsUrls(String url) throws Exception {
        assertThat(WebhookAddresses.parse(url).toString()).isEqualTo(url);
    }
}
