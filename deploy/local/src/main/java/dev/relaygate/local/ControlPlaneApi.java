package dev.relaygate.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/** The few control-plane REST calls the local stack and the end-to-end tests make, as an admin would with curl. */
public final class ControlPlaneApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String baseUrl;

    private final String bearer;

    public ControlPlaneApi(String baseUrl, String bearer) {
        this.baseUrl = baseUrl;
        this.bearer = bearer;
    }

    /** Creates an organization and returns its id. */
    public String createOrganization(String name) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        return send("POST", "/v1/organizations", body, 201).get("id").asString();
    }

    /** Creates a key in the organization and returns the answer, the only one that carries the secret. */
    public JsonNode createKey(String organizationId, String name) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        return send("POST", "/v1/organizations/" + organizationId + "/keys", body, 201);
    }

    /** Revokes a key and returns its masked form. */
    public JsonNode revokeKey(String organizationId, String keyId) {
        return send("POST", "/v1/organizations/" + organizationId + "/keys/" + keyId + "/revoke", null, 200);
    }

    /** Sends a request and returns the JSON answer, failing unless the status is {@code expected}. */
    public JsonNode send(String method, String path, JsonNode body, int expected) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return JSON.readTree(response.body());
        }
        catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + method + " " + path, e);
        }
    }
}
