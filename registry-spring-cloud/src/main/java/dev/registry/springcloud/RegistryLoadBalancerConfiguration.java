package dev.registry.springcloud;

import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Per load-balanced service (a LoadBalancer child context): the registry's push-fed supplier. */
@Configuration(proxyBeanMethods = false)
public class RegistryLoadBalancerConfiguration {
    @Bean
    public ServiceInstanceListSupplier registryServiceInstanceListSupplier(Environment env,
                                                                           RegistryInstances instances) {
        return new RegistryServiceInstanceListSupplier(env.getProperty(LoadBalancerClientFactory.PROPERTY_NAME),
                instances);
    }
}
