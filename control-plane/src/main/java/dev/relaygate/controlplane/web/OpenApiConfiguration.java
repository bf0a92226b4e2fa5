package dev.relaygate.controlplane.web;

import java.util.List;
import java.util.Map;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's fixed parts. The server URL is fixed too (not the port the request came in on), so the
 * served document is the same everywhere and can be compared with the committed one.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    @Bean
    OpenAPI relaygateOpenApi() {
        return new OpenAPI()
            .info(new Info().title("Relaygate control plane API").version("v1")
                .description("Organizations, members, plans and API keys. Errors are RFC 9457 problem details "
                        + "(application/problem+json). Creates honour the Idempotency-Key header. See "
                        + "docs/control-plane-api.md.")
                .license(new License().name("Apache-2.0")))
            .servers(List.of(new Server().url("http://localhost:8090").description("local control plane")))
            .components(new Components().addSecuritySchemes("bearer",
                    new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")))
            .security(List.of(new SecurityRequirement().addList("bearer")));
    }

    /** Documents the problem answers every operation may give, with the one {@link Problem} schema. */
    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            ModelConverters.getInstance().read(Problem.class).forEach(openApi.getComponents()::addSchemas);
            ModelConverters.getInstance().read(ApiException.FieldProblem.class)
                .forEach(openApi.getComponents()::addSchemas);
            Content problem = new Content().addMediaType("application/problem+json",
                    new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")));
            openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
                ApiResponses responses = operation.getResponses();
                PROBLEMS.forEach((status, description) -> {
                    if (!responses.containsKey(status)) {
                        responses.addApiResponse(status, new ApiResponse().description(description).content(problem));
                    }
                });
            }));
        };
    }

    private static final Map<String, String> PROBLEMS = Map.of(
            "400", "Invalid request (field problems listed in errors)",
            "401", "Missing or invalid bearer token",
            "403", "Your role does not allow this",
            "404", "Not found, or not in one of your organizations",
            "409", "Conflicts with the current state",
            "422", "Idempotency-Key reused with a different request");
}
