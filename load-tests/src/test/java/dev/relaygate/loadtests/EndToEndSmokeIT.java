package dev.relaygate.loadtests;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import dev.relaygate.local.ControlPlaneApi;
import dev.relaygate.local.LocalStack;
import dev.relaygate.local.StackOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.Transfer;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Convert;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The walking skeleton, end to end: Postgres, Redis, Anvil, the control plane and the gateway started as a
 * developer starts them; an organization and a key created over REST; then an unmodified web3j client
 * talks to the real Ethereum node through the gateway.
 */
class EndToEndSmokeIT {

    /** Anvil's first well-known development account (public test mnemonic; holds 10,000 test ETH). */
    private static final String DEV_ACCOUNT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private static final String RECIPIENT = "0x000000000000000000000000000000000000dEaD";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalStack stack;

    private static ControlPlaneApi admin;

    private static String organizationId;

    private static Web3j web3;

    @BeforeAll
    static void startStack() throws IOException {
        Path root = Path.of(System.getProperty("relaygate.root", "..")).toAbsolutePath().normalize();
        Path data = root.resolve("load-tests/target/e2e-stack");
        deleteRecursively(data);
        stack = LocalStack.start(StackOptions.test(root, data));
        admin = stack.admin();
        organizationId = admin.createOrganization("End-to-end");
        String key = admin.createKey(organizationId, "web3j").get("secret").asString();
        web3 = Web3j.build(new HttpService(stack.gatewayUrl() + "/v1/anvil/" + key));
    }

    @AfterAll
    static void stopStack() {
        if (web3 != null) {
            web3.shutdown();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void chainIdIsAnvilsThroughTheGateway() throws IOException {
        assertThat(web3.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(31337));
    }

    @Test
    void blockNumberComesBack() throws IOException {
        assertThat(web3.ethBlockNumber().send().getBlockNumber()).isNotNegative();
    }

    @Test
    void valueTransferFromADevAccountIsMinedWithAReceipt() throws Exception {
        Credentials sender = Credentials.create(DEV_ACCOUNT_KEY);
        BigInteger before = web3.ethGetBalance(RECIPIENT, DefaultBlockParameterName.LATEST).send().getBalance();
        var transactions = new RawTransactionManager(web3, sender, 31337,
                new PollingTransactionReceiptProcessor(web3, 100, 100));

        TransactionReceipt receipt = new Transfer(web3, transactions)
            .sendFunds(RECIPIENT, BigDecimal.ONE, Convert.Unit.ETHER)
            .send();

        assertThat(receipt.isStatusOK()).isTrue();
        assertThat(receipt.getFrom()).isEqualToIgnoringCase(sender.getAddress());
        BigInteger after = web3.ethGetBalance(RECIPIENT, DefaultBlockParameterName.LATEST).send().getBalance();
        assertThat(after.subtract(before)).isEqualTo(Convert.toWei(BigDecimal.ONE, Convert.Unit.ETHER).toBigInteger());
    }

    @Test
    void batchOfThreeCallsAnswersEachCall() throws IOException {
        BatchResponse batch = web3.newBatch()
            .add(web3.ethChainId())
            .add(web3.ethBlockNumber())
            .add(web3.ethGetBalance(RECIPIENT, DefaultBlockParameterName.LATEST))
            .send();

        assertThat(batch.getResponses()).hasSize(3);
        assertThat(batch.getResponses()).noneMatch(Response::hasError);
        assertThat(batch.getResponses().get(0).getResult()).isEqualTo("0x7a69");
    }

    @Test
    void unknownKeyIsRefusedWithAJsonRpcErrorEchoingTheId() throws Exception {
        // Well formed, valid checksum, never issued (a vector from docs/contracts/key-format.json).
        HttpResponse<String> response = post(stack.gatewayUrl() + "/v1/anvil/rgk_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7yEe12iv86",
                "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"eth_blockNumber\",\"params\":[]}");

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("jsonrpc").asString()).isEqualTo("2.0");
        assertThat(body.get("id").asInt()).isEqualTo(42);
        assertThat(body.get("error").get("code").asInt()).isEqualTo(-32001);
        assertThat(body.has("result")).isFalse();
    }

    @Test
    void revokedKeyIsRefusedWithinOneSecondOfTheRevokeCall() throws Exception {
        JsonNode key = admin.createKey(organizationId, "to revoke");
        String url = stack.gatewayUrl() + "/v1/anvil/" + key.get("secret").asString();
        String call = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}";
        assertThat(post(url, call).statusCode()).isEqualTo(200);

        admin.revokeKey(organizationId, key.get("id").asString());
        long revokedAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
            .until(() -> post(url, call).statusCode() == 401);
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aPlanEditReachesTheGatewayWithinOneSecond() throws Exception {
        String organization = admin.createOrganization("Plan edit");
        ObjectNode plan = JSON.createObjectNode()
            .put("name", "e2e-" + UUID.randomUUID().toString().substring(0, 8))
            .put("computeUnitsPerSecond", 1_000).put("burstComputeUnits", 2_000)
            .put("computeUnitsPerMinute", 50_000).put("monthlyComputeUnits", 100_000_000)
            .put("maxBatchSize", 100).put("maxBodyBytes", 1_048_576).put("publicPlan", false);
        plan.putArray("allowedChains");
        plan.putArray("methodClasses").add("standard");
        String planId = admin.send("POST", "/v1/plans", plan, 201).get("id").asString();
        admin.send("PUT", "/v1/organizations/" + organization + "/plan",
            JSON.createObjectNode().put("planId", planId), 200);
        String url = stack.gatewayUrl() + "/v1/anvil/" + admin.createKey(organization, "plan edit").get("secret").asString();
        String call = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}";
        assertThat(post(url, call).headers().firstValue("RateLimit-Limit")).hasValue("2000");

        admin.send("PATCH", "/v1/plans/" + planId, JSON.createObjectNode().put("burstComputeUnits", 3_000), 200);
        long editedAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
            .until(() -> post(url, call).headers().firstValue("RateLimit-Limit").orElse("").equals("3000"));
        assertThat(Duration.ofNanos(System.nanoTime() - editedAt)).isLessThan(Duration.ofSeconds(1));
    }

    private static HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
