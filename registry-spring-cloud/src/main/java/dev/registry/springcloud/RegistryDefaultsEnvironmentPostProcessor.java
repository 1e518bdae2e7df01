package dev.registry.springcloud;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Defaults that suit a push-fed registry, below every property the application sets: Spring
 * Cloud LoadBalancer's instance cache is off (the registry's supplier is always current; the
 * cache would only delay a change and warn about its implementation at start).
 */
public class RegistryDefaultsEnvironmentPostProcessor implements EnvironmentPostProcessor {
    static final String SOURCE = "registry-spring-cloud-defaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty("spring.cloud.registry.enabled", Boolean.class, true)) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE,
                Map.of("spring.cloud.loadbalancer.cache.enabled", "false")));
    }
}
