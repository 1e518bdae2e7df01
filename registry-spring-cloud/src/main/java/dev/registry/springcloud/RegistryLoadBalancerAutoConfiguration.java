package dev.registry.springcloud;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

/**
 * Makes the registry's push-fed list the instance list of every Spring Cloud LoadBalancer
 * client (its default configuration comes before LoadBalancer's own, whose cached
 * DiscoveryClient supplier then stands back).
 */
@AutoConfiguration(after = RegistryAutoConfiguration.class)
@ConditionalOnClass(ServiceInstanceListSupplier.class)
@ConditionalOnDiscoveryEnabled
@ConditionalOnProperty(value = {"spring.cloud.registry.enabled", "spring.cloud.registry.discovery.enabled"},
        matchIfMissing = true)
@LoadBalancerClients(defaultConfiguration = RegistryLoadBalancerConfiguration.class)
public class RegistryLoadBalancerAutoConfiguration {
}
