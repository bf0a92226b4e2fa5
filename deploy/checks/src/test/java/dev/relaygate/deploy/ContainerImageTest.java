package dev.relaygate.deploy;


import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Jib configuration (no registry is reachable here, so images are not built; what can be checked is): both
 * services run as the unprivileged user, expose their ports, take their JVM flags from a file that exists, and
 * no Jib goal is bound to the build, so {@code ./mvnw verify} never builds an image.
 */
class ContainerImageTest {

    @ParameterizedTest
    @EnumSource(Service.class)
    void imageConfigurationAgreesWithTheService(Service service) throws Exception {
        Element jib = jibPlugin(pom(service.module() + "/pom.xml"));
        Element root = jibPlugin(pom("pom.xml"));

        assertThat(text(root, "user")).isEqualTo("${relaygate.image.user}");
        assertThat(property("relaygate.image.user")).isEqualTo("65532:65532");
        assertThat(text(root, "image")).isEqualTo("${relaygate.image.base}");
        assertThat(text(jib, "ports")).contains(String.valueOf(service.port()))
            .contains(String.valueOf(service.managementPort()));
        String flags = text(jib, "jvmFlag");
        assertThat(flags).startsWith("@/opt/relaygate/");
        String optionsFile = flags.substring("@/opt/relaygate/".length());
        assertThat(text(jib, "includes")).isEqualTo(optionsFile);
        assertThat(Repository.path("deploy").resolve(optionsFile)).isRegularFile();
        assertThat(jib.getElementsByTagName("executions").getLength()).isZero();
        assertThat(root.getElementsByTagName("executions").getLength()).isZero();
    }

    private static Document pom(String relative) throws Exception {
        var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        return factory.newDocumentBuilder().parse(Repository.path(relative).toFile());
    }

    private static Element jibPlugin(Document pom) {
        NodeList artifacts = pom.getElementsByTagName("artifactId");
        for (int i = 0; i < artifacts.getLength(); i++) {
            if (artifacts.item(i).getTextContent().equals("jib-maven-plugin")) {
                return (Element) artifacts.item(i).getParentNode();
            }
        }
        throw new AssertionError("no jib-maven-plugin in " + pom.getDocumentURI());
    }

    private static String property(String name) throws Exception {
        return pom("pom.xml").getElementsByTagName(name).item(0).getTextContent();
    }

    private static String text(Element element, String tag) {
        NodeList nodes = element.getElementsByTagName(tag);
        assertThat(nodes.getLength()).as(tag).isPositive();
        return nodes.item(0).getTextContent().trim();
    }
}
