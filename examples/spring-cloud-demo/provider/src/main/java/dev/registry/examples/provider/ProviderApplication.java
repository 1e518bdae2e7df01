package dev.registry.examples.provider;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The service {@code demo-provider}: {@code GET /hello} names the instance that answered. Nothing
 * registry-specific in the code: the registry-spring-cloud starter registers this application
 * (service id = {@code spring.application.name}, its host and {@code server.port}) once the web
 * server runs and deregisters it on a graceful shutdown.
 */
@SpringBootApplication
@RestController
public class ProviderApplication {

    private final String instance;

    public ProviderApplication(@Value("${spring.cloud.registry.instance-id}") String instance) {
        this.instance = instance;
    }

    @GetMapping("/hello")
    public String hello() {
        return "hello from " + instance;
    }

    public static void main(String[] args) {
        SpringApplication.run(ProviderApplication.class, args);
    }
}
