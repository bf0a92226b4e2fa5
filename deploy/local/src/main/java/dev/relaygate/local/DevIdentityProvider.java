package dev.relaygate.local;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.ObjectMapper;

/**
 * The local stack's development sign-in for the customer portal: a minimal OpenID Connect provider on loopback
 * that runs the authorization code flow with PKCE (S256, RFC 7636) exactly as a real provider would, so the
 * portal's sign-in code is the production code, but asks only for a user id instead of a password. Its tokens are
 * signed with the local HS256 secret the control plane already accepts ({@link DevTokens}). Whoever can reach this
 * port can sign in as anyone, like whoever can read the admin token the stack prints: it exists only in the local
 * stack (never in the control plane's jar) and listens on 127.0.0.1 only.
 */
final class DevIdentityProvider implements AutoCloseable {

    static final String CLIENT_ID = "relaygate-portal";

    private static final Duration CODE_LIFETIME = Duration.ofMinutes(2);

    private static final Duration TOKEN_LIFETIME = Duration.ofHours(8);

    private static final SecureRandom RANDOM = new SecureRandom();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    private final DevTokens tokens;

    private final URI redirectUri;

    private final String portalOrigin;

    private final Map<String, Grant> grants = new ConcurrentHashMap<>();

    private record Grant(String challenge, String subject, String email, Instant expiresAt) {
    }

    private DevIdentityProvider(HttpServer server, DevTokens tokens, URI redirectUri) {
        this.server = server;
        this.tokens = tokens;
        this.redirectUri = redirectUri;
        this.portalOrigin = redirectUri.getScheme() + "://" + redirectUri.getRawAuthority();
    }

    /** Starts on {@code port} of 127.0.0.1; the only client it knows is the portal at {@code redirectUri}. */
    static DevIdentityProvider start(int port, DevTokens tokens, URI redirectUri) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
            DevIdentityProvider provider = new DevIdentityProvider(server, tokens, redirectUri);
            server.createContext("/authorize", provider::authorize);
            server.createContext("/token", provider::token);
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread thread = new Thread(r, "dev-identity-provider");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return provider;
        }
        catch (IOException e) {
            throw new IllegalStateException("The development sign-in could not listen on port " + port, e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String authorizationEndpoint() {
        return url() + "/authorize";
    }

    String tokenEndpoint() {
        return url() + "/token";
    }

    /** GET shows the sign-in form; POST (the form) answers the portal with a one-time code. */
    private void authorize(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> params = exchange.getRequestMethod().equals("POST") ? form(exchange)
                    : query(exchange.getRequestURI());
            String refusal = refusal(params);
            if (refusal != null) {
                html(exchange, 400, "<h1>Sign-in refused</h1><p>" + escape(refusal) + "</p>");
                return;
            }
            if (exchange.getRequestMethod().equals("GET")) {
                html(exchange, 200, signInPage(params));
                return;
            }
            String subject = params.getOrDefault("subject", "").trim();
            String email = params.getOrDefault("email", "").trim();
            if (subject.isEmpty() || subject.length() > 255) {
                html(exchange, 400, "<h1>Sign-in refused</h1><p>A user id of 1 to 255 characters is required.</p>");
                return;
            }
            String code = random();
            grants.put(code, new Grant(params.get("code_challenge"), subject, email.isEmpty() ? null : email,
                    Instant.now().plus(CODE_LIFETIME)));
            String location = redirectUri + "?code=" + encode(code) + "&state=" + encode(params.getOrDefault("state", ""));
            exchange.getResponseHeaders().set("Location", location);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(303, -1);
        }
    }

    private String refusal(Map<String, String> params) {
        if (!"code".equals(params.get("response_type"))) {
            return "response_type must be code";
        }
        if (!CLIENT_ID.equals(params.get("client_id"))) {
            return "unknown client_id";
        }
        if (!redirectUri.toString().equals(params.get("redirect_uri"))) {
            return "redirect_uri must be " + redirectUri;
        }
        if (!"S256".equals(params.get("code_challenge_method")) || params.getOrDefault("code_challenge", "").isEmpty()) {
            return "PKCE with code_challenge_method=S256 is required";
        }
        return null;
    }

    private static String signInPage(Map<String, String> params) {
        StringBuilder hidden = new StringBuilder();
        for (String name : new String[] { "response_type", "client_id", "redirect_uri", "state", "code_challenge",
                "code_challenge_method" }) {
            hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"")
                .append(escape(params.getOrDefault(name, ""))).append("\">");
        }
        return """
                <main><h1>Relaygate development sign-in</h1>
                <p>The local stack signs you in as whichever user you name: no password, no identity provider.
                A deployment signs in with its OpenID Connect provider instead (docs/portal.md).</p>
                <form method="post" action="/authorize">%s
                <p><label for="subject">User id</label><br><input id="subject" name="subject" value="developer" required maxlength="255"></p>
                <p><label for="email">E-mail (optional, treated as verified)</label><br><input id="email" name="email" type="email" value="developer@example.com"></p>
                <p><button type="submit">Sign in</button></p></form></main>
                """.formatted(hidden);
    }

    /** Trades a code and its PKCE verifier for an access token, once. */
    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Access-Control-Allow-Origin", portalOrigin);
            exchange.getResponseHeaders().set("Vary", "Origin");
            if (exchange.getRequestMethod().equals("OPTIONS")) {
                exchange.getResponseHeaders().set("Access-Control-Allow-Methods", "POST");
                exchange.getResponseHeaders().set("Access-Control-Allow-Headers", "Content-Type, Accept");
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                json(exchange, 405, Map.of("error", "invalid_request"));
                return;
            }
            Map<String, String> params = form(exchange);
            Grant grant = grants.remove(params.getOrDefault("code", ""));
            boolean valid = grant != null && grant.expiresAt().isAfter(Instant.now())
                    && "authorization_code".equals(params.get("grant_type"))
                    && CLIENT_ID.equals(params.get("client_id"))
                    && redirectUri.toString().equals(params.get("redirect_uri"))
                    && MessageDigest.isEqual(grant.challenge().getBytes(StandardCharsets.US_ASCII),
                            challenge(params.getOrDefault("code_verifier", "")).getBytes(StandardCharsets.US_ASCII));
            if (!valid) {
                json(exchange, 400, Map.of("error", "invalid_grant",
                        "error_description", "unknown, used or expired code, or a verifier that does not match"));
                return;
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("access_token", tokens.mintUser(grant.subject(), grant.email(), TOKEN_LIFETIME));
            answer.put("token_type", "Bearer");
            answer.put("expires_in", TOKEN_LIFETIME.toSeconds());
            json(exchange, 200, answer);
        }
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(16 * 1024);
        return parse(new String(body, StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(URI uri) {
        return parse(uri.getRawQuery() == null ? "" : uri.getRawQuery());
    }

    private static Map<String, String> parse(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.putIfAbsent(name, value);
        }
        return values;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
            .replace("'", "&#39;");
    }

    private void html(HttpExchange exchange, int status, String body) throws IOException {
        String page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Relaygate development sign-in</title></head><body>" + body + "</body></html>";
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; form-action 'self' " + portalOrigin + "; frame-ancestors 'none'");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        send(exchange, status, page.getBytes(StandardCharsets.UTF_8));
    }

    private static void json(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, status, JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
