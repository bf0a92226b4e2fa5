package dev.relaygate.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.relaygate.local.LocalStack;
import dev.relaygate.local.StackOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.relaygate.loadtests.StripeStub.checkoutSession;
import static dev.relaygate.loadtests.StripeStub.event;
import static dev.relaygate.loadtests.StripeStub.randomAlphanumeric;
import static dev.relaygate.loadtests.StripeStub.subscriptionObject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The customer portal in a real headless Chromium on the real local stack (issue #21): a developer signs in through
 * the stack's development OIDC provider (authorization code + PKCE, as with a real provider), the first sign-in
 * creates their organization, they create a key and edit its policy, the test calls the gateway with the secret the
 * page showed, the call appears in the usage chart and in the CSV the page downloads, they invite a member, change
 * their role and remove them, upgrade through Stripe Checkout (the control plane's stripe-java client talks to a
 * WireMock stub of the Stripe API, and Stripe's pages are stubs on loopback), see the paid plan once Stripe's signed
 * webhooks arrive, page through the invoices, open the Billing Portal, rotate the key (the gateway then takes only the
 * new secret), revoke it, and the gateway refuses it. Every page passes axe-core with no serious or critical
 * violation, and a screenshot of each is written for docs/portal.md.
 */
class PortalEndToEndIT {

    /** Debian's packages chromium and chromium-driver (.ci/run installs them). */
    private static final Path CHROMIUM = Path.of(System.getProperty("portal.chromium", "/usr/bin/chromium"));

    private static final Path CHROMEDRIVER = Path.of(System.getProperty("portal.chromedriver", "/usr/bin/chromedriver"));

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Path root;

    private static Path screenshots;

    private static Path downloads;

    private static StripeStub stripe;

    private static String axe;

    private static LocalStack stack;

    private static WebDriver browser;

    @BeforeAll
    static void start() throws IOException {
        assertThat(Files.isExecutable(CHROMIUM))
            .as("%s is missing: install Debian's chromium and chromium-driver (.ci/run does) or set -Dportal.chromium", CHROMIUM)
            .isTrue();
        assertThat(Files.isExecutable(CHROMEDRIVER))
            .as("%s is missing: install Debian's chromium-driver (.ci/run does) or set -Dportal.chromedriver", CHROMEDRIVER)
            .isTrue();
        root = Path.of(System.getProperty("relaygate.root", "..")).toAbsolutePath().normalize();
        Path axeScript = root.resolve("control-plane/portal/node_modules/axe-core/axe.min.js");
        assertThat(Files.isRegularFile(axeScript))
            .as("%s is missing: the control plane's build installs it (npm ci in control-plane/portal)", axeScript).isTrue();
        axe = Files.readString(axeScript);
        screenshots = root.resolve("load-tests/target/portal-screenshots");
        Files.createDirectories(screenshots);
        Path data = root.resolve("load-tests/target/portal-stack");
        deleteRecursively(data);
        downloads = data.resolve("downloads");
        Files.createDirectories(downloads);
        stripe = StripeStub.start();
        stack = LocalStack.start(StackOptions.test(root, data).withControlPlaneEnvironment(stripe.controlPlaneEnvironment()));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--lang=en-GB");
        // A download lands in this directory without a prompt (the usage page's CSV).
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false,
                "download.directory_upgrade", true));
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
        if (stripe != null) {
            stripe.close();
        }
    }

    @Test
    void aDeveloperSignsInCreatesAKeySeesItsCallInUsageAndRevokesIt() throws Exception {
        // A paid plan with a Stripe price, as an operator sets one up (docs/billing.md).
        String price = "price_" + randomAlphanumeric(24);
        String proPlan = stack.admin().send("POST", "/v1/plans", proPlan(price), 201).get("id").asString();

        // First sign-in: the organization is created for the user and the keys page opens.
        signIn(true);
        awaitText(By.cssSelector("select option"), "ada@example.com's organization");
        assertThat(browser.getCurrentUrl()).as("the code leaves the address bar").doesNotContain("code=");
        checkAccessibility("keys (empty)");

        WebElement name = browser.findElement(By.cssSelector("input[name='name']"));
        name.sendKeys("browser dapp");
        click(By.xpath("//button[text()='Create key']"));
        WebElement secretField = awaitElement(By.id("issued-secret"));
        String secret = secretField.getDomProperty("value");
        assertThat(secret).startsWith("rgk_");
        awaitText(By.cssSelector("tbody"), "browser dapp");
        checkAccessibility("keys with the new secret");
        screenshot("keys-created");

        // The policy editor: a mistake comes back as the API's problem, naming the field; then a valid policy saves.
        click(By.xpath("//button[text()='I have stored it']"));
        click(By.cssSelector("button[aria-label='Edit policy of browser dapp']"));
        WebElement cidrs = awaitElement(By.xpath("//label[span[text()='Allowed addresses (CIDR)']]/textarea"));
        cidrs.sendKeys("not-an-address");
        browser.findElement(By.xpath("//label[span[text()='Allowed chains']]/textarea")).sendKeys("anvil");
        browser.findElement(By.xpath("//label[span[starts-with(text(), 'Daily cap')]]/input")).sendKeys("100000");
        click(By.xpath("//button[text()='Save policy']"));
        awaitText(By.cssSelector("dialog .problem"), "policy.allowedCidrs[0]");
        checkAccessibility("policy editor with a problem");
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()",
                browser.findElement(By.cssSelector("dialog .problem")));
        screenshot("policy-editor");
        // As a user deletes text (WebElement.clear() sends no input event, so the page would not see it).
        cidrs.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        click(By.xpath("//button[text()='Save policy']"));
        await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("dialog[open]")).isEmpty());

        HttpResponse<String> call = blockNumber(secret);
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(call.body()).has("result")).isTrue();

        // The call reaches the usage page once the gateway has flushed it and the control plane has counted it.
        click(By.linkText("Usage"));
        awaitText(By.id("usage-title"), "Usage");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            click(By.xpath("//button[text()='Refresh']"));
            assertThat(browser.findElement(By.cssSelector("dd[data-total='calls']")).getText()).isEqualTo("1");
        });
        assertThat(browser.findElements(By.cssSelector(".chart svg rect"))).as("a bar for the call").isNotEmpty();
        awaitText(By.id("quota-title"), "Quota");
        assertThat(browser.findElement(By.xpath("//section[h2[@id='quota-title']]")).getText())
            .as("the key's daily cap from the policy editor").contains("browser dapp", "of 100,000 compute units");
        checkAccessibility("usage");
        screenshot("usage");

        // Download CSV: the API's own text/csv answer, saved by the browser; its one row is the call.
        click(By.xpath("//button[text()='Download CSV']"));
        Path csv = await().atMost(WAIT).ignoreExceptions().until(PortalEndToEndIT::downloadedCsv, p -> p != null);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.getFirst()).isEqualTo("start,calls,computeUnits,errors,rateLimited");
        String computeUnits = browser.findElement(By.cssSelector("dd[data-total='computeUnits']")).getText()
            .replace(",", "");
        assertThat(lines.subList(1, lines.size()))
            .as("one row: the hour of the call, one call, its compute units, no error, not rate limited")
            .singleElement().asString()
            .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:00:00Z,1," + computeUnits + ",0,0");

        click(By.linkText("Organization"));
        awaitText(By.cssSelector("tbody"), "ada");
        browser.findElement(By.xpath("//label[span[text()='E-mail address']]/input")).sendKeys("bob@example.com");
        click(By.xpath("//button[text()='Invite']"));
        awaitText(By.cssSelector("tbody"), "bob@example.com");
        assertThat(browser.findElement(By.cssSelector("tbody")).getText()).contains("invited");
        checkAccessibility("organization");
        screenshot("organization");

        // Change bob's role; the page, opened again, reads the members from the API (again until the change has
        // been answered: the select shows the choice before the API has it).
        By bobsRole = By.cssSelector("select[aria-label='Role of bob@example.com']");
        assertThat(awaitElement(bobsRole).getDomProperty("value")).isEqualTo("developer");
        choose(bobsRole, "viewer");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            click(By.linkText("API keys"));
            awaitText(By.id("keys-title"), "API keys");
            click(By.linkText("Organization"));
            assertThat(awaitElement(bobsRole).getDomProperty("value")).isEqualTo("viewer");
        });

        // Remove bob after a confirmation; he is gone from the list the API answers.
        click(By.cssSelector("button[aria-label='Remove bob@example.com']"));
        WebElement removeMember = awaitElement(By.xpath("//dialog//button[text()='Remove member']"));
        checkAccessibility("remove member confirmation");
        removeMember.click();
        await().atMost(WAIT).until(() -> browser.findElements(bobsRole).isEmpty());
        click(By.linkText("API keys"));
        awaitText(By.id("keys-title"), "API keys");
        click(By.linkText("Organization"));
        awaitText(By.cssSelector("tbody"), "ada");
        assertThat(browser.findElement(By.cssSelector("tbody")).getText()).doesNotContain("bob@example.com");

        // Billing: the free plan and no invoices; upgrading sends the browser to Stripe Checkout (the stub's page).
        click(By.linkText("Billing"));
        awaitText(By.cssSelector("dl.facts"), "none (free plan)");
        assertThat(browser.findElement(By.cssSelector("dl.facts dd")).getText()).isEqualTo("free");
        awaitText(By.cssSelector("tbody"), "No invoices yet.");
        checkAccessibility("billing on the free plan");
        String customer = "cus_" + randomAlphanumeric(14);
        String checkoutUrl = stripe.stubCheckout(customer, "ada@example.com's organization");
        choose(By.xpath("//label[span[text()='Upgrade to']]/select"), "pro (");
        click(By.xpath("//button[text()='Upgrade with Stripe Checkout']"));
        await().atMost(WAIT).until(() -> checkoutUrl.equals(browser.getCurrentUrl()));
        assertThat(browser.getTitle()).isEqualTo("Stripe Checkout (stub)");
        List<LoggedRequest> sessions = stripe.server().findAll(postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
        assertThat(sessions).hasSize(1);
        Map<String, String> session = StripeStub.form(sessions.getFirst());
        assertThat(session).containsEntry("customer", customer).containsEntry("line_items[0][price]", price)
            .containsEntry("metadata[relaygate_plan_id]", proPlan);
        String organization = session.get("client_reference_id");

        // The customer pays: Stripe says so with signed webhooks; the control plane re-reads the subscription.
        String subscription = "sub_" + randomAlphanumeric(24);
        stripe.stubSubscription(subscription, customer, "active", price);
        stripe.stubInvoices(customer, 23, 20);
        stripe.deliver(stack.controlPlaneUrl(), event("checkout.session.completed",
                checkoutSession(organization, customer, subscription)));
        stripe.deliver(stack.controlPlaneUrl(), event("customer.subscription.created",
                subscriptionObject(subscription, customer, "active", price)));

        // Back in the portal: the paid plan, the subscription, and the invoices 20 a page.
        signIn(false);
        click(By.linkText("Billing"));
        awaitText(By.cssSelector("dl.facts"), "active");
        assertThat(browser.findElement(By.cssSelector("dl.facts dd")).getText()).isEqualTo("pro");
        awaitText(By.cssSelector("tbody"), "RG-23");
        assertThat(invoiceNumbers()).hasSize(20).startsWith("RG-23").endsWith("RG-4");
        checkAccessibility("billing on the paid plan");
        screenshot("billing");
        click(By.xpath("//button[text()='Next page']"));
        awaitText(By.cssSelector("tbody"), "RG-3");
        assertThat(invoiceNumbers()).containsExactly("RG-3", "RG-2", "RG-1");
        assertThat(awaitElement(By.xpath("//button[text()='Previous page']")).isEnabled()).isTrue();
        assertThat(browser.findElement(By.xpath("//button[text()='Next page']")).isEnabled()).isFalse();

        // The Billing Portal: the browser goes to Stripe's page for this customer.
        String billingPortalUrl = stripe.stubBillingPortal(customer);
        click(By.xpath("//button[text()='Manage payment and subscription (Stripe)']"));
        await().atMost(WAIT).until(() -> billingPortalUrl.equals(browser.getCurrentUrl()));
        assertThat(browser.getTitle()).isEqualTo("Stripe Billing Portal (stub)");
        List<LoggedRequest> portals = stripe.server().findAll(postRequestedFor(urlEqualTo("/v1/billing_portal/sessions")));
        assertThat(portals).hasSize(1);
        assertThat(StripeStub.form(portals.getFirst())).containsEntry("customer", customer);

        signIn(false);
        click(By.linkText("Audit log"));
        awaitText(By.cssSelector("tbody"), "key.create");
        assertThat(browser.findElement(By.cssSelector("tbody")).getText()).contains("member.role", "member.remove");
        checkAccessibility("audit log");
        screenshot("audit-log");

        // Rotate without grace: the page shows the new secret once; the gateway takes it and refuses the old one.
        click(By.linkText("API keys"));
        click(By.cssSelector("button[aria-label='Rotate browser dapp']"));
        WebElement grace = awaitElement(By.xpath("//dialog//label[span[starts-with(text(), 'Grace period')]]/input"));
        grace.sendKeys(Keys.chord(Keys.CONTROL, "a"), "0");
        click(By.xpath("//dialog//button[text()='Rotate']"));
        awaitText(By.cssSelector(".secret h2"), "New secret of browser dapp");
        String rotated = browser.findElement(By.id("issued-secret")).getDomProperty("value");
        assertThat(rotated).startsWith("rgk_").isNotEqualTo(secret);
        await().atMost(WAIT).untilAsserted(() -> assertThat(blockNumber(secret).statusCode()).isEqualTo(401));
        assertThat(blockNumber(rotated).statusCode()).isEqualTo(200);
        click(By.xpath("//button[text()='I have stored it']"));

        // Revoke with the keyboard alone: the dialog takes focus, Enter confirms.
        WebElement revoke = awaitElement(By.cssSelector("button[aria-label='Revoke browser dapp']"));
        revoke.sendKeys(Keys.ENTER);
        WebElement confirm = awaitElement(By.xpath("//dialog//button[text()='Revoke key']"));
        checkAccessibility("revoke confirmation");
        screenshot("revoke-confirmation");
        confirm.sendKeys(Keys.ENTER);
        await().atMost(WAIT).until(() -> !browser.findElement(By.cssSelector("tbody")).getText().contains("browser dapp"));

        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> refused = blockNumber(rotated);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(refused.body()).get("error").get("code").asInt()).isEqualTo(-32001);
        });

        click(By.xpath("//label[contains(., 'Show revoked keys')]/input"));
        awaitText(By.cssSelector("tbody"), "Revoked");
        browser.manage().window().setSize(new Dimension(390, 844));
        screenshot("keys-phone");
        checkAccessibility("keys on a phone");
    }

    /**
     * Signs in as ada through the development provider's page; the browser returns with a code. Tokens live only in
     * the page's memory, so a browser coming back from Stripe's pages signs in again.
     */
    private static void signIn(boolean screenshot) throws IOException {
        browser.get(stack.portalUrl());
        click(By.xpath("//button[text()='Sign in']"));
        WebElement subject = awaitElement(By.id("subject"));
        subject.clear();
        subject.sendKeys("ada");
        WebElement email = browser.findElement(By.id("email"));
        email.clear();
        email.sendKeys("ada@example.com");
        if (screenshot) {
            screenshot("sign-in");
        }
        click(By.xpath("//button[text()='Sign in']"));
        awaitText(By.id("keys-title"), "API keys");
    }

    private static ObjectNode proPlan(String price) {
        ObjectNode plan = JSON.createObjectNode()
            .put("name", "pro")
            .put("computeUnitsPerSecond", 2_000).put("burstComputeUnits", 4_000)
            .put("computeUnitsPerMinute", 120_000).put("monthlyComputeUnits", 1_000_000_000L)
            .put("maxBatchSize", 100).put("maxBodyBytes", 1_048_576).put("publicPlan", true)
            .put("stripePriceId", price);
        plan.putArray("allowedChains");
        plan.putArray("methodClasses").add("standard");
        return plan;
    }

    private static HttpResponse<String> blockNumber(String secret) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/anvil/" + secret))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> invoiceNumbers() {
        return browser.findElements(By.cssSelector("section[aria-labelledby='invoices-title'] tbody tr td:first-child"))
            .stream().map(WebElement::getText).toList();
    }

    /** The CSV the browser has finished downloading (Chromium writes a .crdownload file until then). */
    private static Path downloadedCsv() throws IOException {
        try (Stream<Path> files = Files.list(downloads)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".csv")).findFirst().orElse(null);
        }
    }

    /** Picks the option whose text starts with {@code text} as a user does: the select fires its change event. */
    private static void choose(By select, String text) {
        awaitElement(select).findElement(By.xpath(".//option[starts-with(normalize-space(), '" + text + "')]")).click();
    }

    private static void click(By locator) {
        awaitElement(locator).click();
    }

    private static WebElement awaitElement(By locator) {
        return await().atMost(WAIT).ignoreExceptions().until(() -> {
            WebElement element = browser.findElement(locator);
            return element.isDisplayed() && element.isEnabled() ? element : null;
        }, e -> e != null);
    }

    private static void awaitText(By locator, String text) {
        await().atMost(WAIT).ignoreExceptions()
            .until(() -> browser.findElements(locator).stream().anyMatch(e -> e.getText().contains(text)));
    }

    /** axe-core on the page as it is now: no serious or critical violation of WCAG 2 A/AA or best practice. */
    @SuppressWarnings("unchecked")
    private static void checkAccessibility(String page) {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object'"))) {
            js.executeScript(axe);
        }
        Object result = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })
                  .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))))
                  .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));
                """);
        List<Map<String, Object>> violations = new ArrayList<>((List<Map<String, Object>>) result);
        List<Map<String, Object>> serious = violations.stream()
            .filter(v -> "serious".equals(v.get("impact")) || "critical".equals(v.get("impact")))
            .toList();
        assertThat(serious).as("serious or critical accessibility violations on %s", page).isEmpty();
    }

    private static void screenshot(String name) throws IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
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
