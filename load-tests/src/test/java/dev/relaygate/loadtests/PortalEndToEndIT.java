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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The customer portal in a real headless Chromium on the real local stack (issue #21): a developer signs in through
 * the stack's development OIDC provider (authorization code + PKCE, as with a real provider), the first sign-in
 * creates their organization, they create a key and edit its policy, the test calls the gateway with the secret the
 * page showed, the call appears in the usage chart, they rotate the key (the gateway then takes only the new secret),
 * revoke it, and the gateway refuses it. Every page passes axe-core with
 * no serious or critical violation, and a screenshot of each is written for docs/portal.md.
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
        stack = LocalStack.start(StackOptions.test(root, data));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--lang=en-GB");
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
    }

    @Test
    void aDeveloperSignsInCreatesAKeySeesItsCallInUsageAndRevokesIt() throws Exception {
        browser.get(stack.portalUrl());
        click(By.xpath("//button[text()='Sign in']"));

        // The development provider's page: name a user and sign in; the browser returns with a code.
        WebElement subject = awaitElement(By.id("subject"));
        subject.clear();
        subject.sendKeys("ada");
        WebElement email = browser.findElement(By.id("email"));
        email.clear();
        email.sendKeys("ada@example.com");
        screenshot("sign-in");
        click(By.xpath("//button[text()='Sign in']"));

        // First sign-in: the organization is created for the user and the keys page opens.
        awaitText(By.id("keys-title"), "API keys");
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

        click(By.linkText("Organization"));
        awaitText(By.cssSelector("tbody"), "ada");
        browser.findElement(By.xpath("//label[span[text()='E-mail address']]/input")).sendKeys("bob@example.com");
        click(By.xpath("//button[text()='Invite']"));
        awaitText(By.cssSelector("tbody"), "bob@example.com");
        assertThat(browser.findElement(By.cssSelector("tbody")).getText()).contains("invited");
        checkAccessibility("organization");
        screenshot("organization");

        // This stack has no Stripe key: the page shows the API's problem, title and detail.
        click(By.linkText("Billing"));
        awaitText(By.cssSelector(".problem"), "Billing not configured");
        checkAccessibility("billing");
        screenshot("billing");

        click(By.linkText("Audit log"));
        awaitText(By.cssSelector("tbody"), "key.create");
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

    private static HttpResponse<String> blockNumber(String secret) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/anvil/" + secret))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
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
