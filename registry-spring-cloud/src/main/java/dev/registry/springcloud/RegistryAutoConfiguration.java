package dev.registry.springcloud;

import dev.registry.client.RegistryClient;
import dev.registry.client.RegistryClientConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.client.CommonsClientAutoConfiguration;
import org.springframework.cloud.client.ConditionalOnBlockingDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnReactiveDiscoveryEnabled;
import org.springframework.cloud.client.ReactiveCommonsClientAutoConfiguration;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.simple.reactive.SimpleReactiveDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Everything a Boot application needs to register and discover through the registry, from
 * {@code spring.cloud.registry.*}: the client, this application's registration (published
 * once its web server has a port), the discovery clients and the health indicator.
 */
@AutoConfiguration(before = {SimpleDiscoveryClientAutoConfiguration.class,
        SimpleReactiveDiscoveryClientAutoConfiguration.class, CommonsClientAutoConfiguration.class,
        ReactiveCommonsClientAutoConfiguration.class},
        after = {AutoServiceRegistrationAutoConfiguration.class, UtilAutoConfiguration.class})
@ConditionalOnProperty(value = "spring.cloud.registry.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RegistryDiscoveryProperties.class)
public class RegistryAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RegistryClient registryClient(RegistryDiscoveryProperties properties, Environment env) {
        RegistryClientConfig.Builder b = RegistryClientConfig.builder(properties.getServers())
                .appName(env.getProperty("spring.application.name", "application"))
                .requestTimeout(properties.getRequestTimeout());
        if (properties.getZone() != null) {
            b.zone(properties.getZone());
        }
        if (properties.getTlsCa() != null) {
            b.tlsCa(properties.getTlsCa());
        }
        if (properties.getCredentialsFile() != null) {
            b.credentialsFile(properties.getCredentialsFile());
        }
        return RegistryClient.start(b.build());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RegistryInstances registryInstances(RegistryClient client, RegistryDiscoveryProperties properties) {
        return new RegistryInstances(client, properties.getGroup(), properties.getRequestTimeout());
    }

    /** Discovery: {@code spring.cloud.registry.discovery.enabled} (and Spring Cloud's discovery switches). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnDiscoveryEnabled
    @ConditionalOnProperty(value = "spring.cloud.registry.discovery.enabled", matchIfMissing = true)
    static class Discovery {
        @Bean
        @ConditionalOnMissingBean
        public RegistryCatalog registryCatalog(RegistryClient client, RegistryDiscoveryProperties properties,
                                               ApplicationEventPublisher events) {
            return new RegistryCatalog(client, properties.getGroup(), events);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnDiscoveryEnabled
    @ConditionalOnBlockingDiscoveryEnabled
    @ConditionalOnProperty(value = "spring.cloud.registry.discovery.enabled", matchIfMissing = true)
    static class BlockingDiscovery {
        @Bean
        @ConditionalOnMissingBean
        public RegistryDiscoveryClient registryDiscoveryClient(RegistryClient client, RegistryInstances instances,
                                                               RegistryCatalog catalog) {
            return new RegistryDiscoveryClient(client, instances, catalog);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnDiscoveryEnabled
    @ConditionalOnReactiveDiscoveryEnabled
    @ConditionalOnProperty(value = "spring.cloud.registry.discovery.enabled", matchIfMissing = true)
    static class ReactiveDiscovery {
        @Bean
        @ConditionalOnMissingBean
        public RegistryReactiveDiscoveryClient registryReactiveDiscoveryClient(RegistryClient client,
                                                                               RegistryInstances instances,
                                                                               RegistryCatalog catalog) {
            return new RegistryReactiveDiscoveryClient(new RegistryDiscoveryClient(client, instances, catalog),
                    instances);
        }
    }

    /** The health indicator, when Boot's health support is there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Health {
        @Bean(name = "registryHealthIndicator")
        @ConditionalOnMissingBean(name = "registryHealthIndicator")
        public RegistryHealthIndicator registryHealthIndicator(RegistryClient client, RegistryInstances instances) {
            return new RegistryHealthIndicator(client, instances);
        }
    }

    /** Registration of this application: {@code spring.cloud.registry.registration.enabled}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(value = "spring.cloud.registry.registration.enabled", matchIfMissing = true)
    static class Registration {
        @Bean
        @ConditionalOnMissingBean
        public RegistryServiceRegistry registryServiceRegistry(RegistryClient client,
                                                               RegistryDiscoveryProperties properties) {
            return new RegistryServiceRegistry(client, properties.getGroup(),
                    properties.getRegistration().isFailFast());
        }

        @Bean
        @ConditionalOnMissingBean
        public RegistryRegistration registryRegistration(RegistryDiscoveryProperties properties, Environment env,
                                                         org.springframework.beans.factory.ObjectProvider<InetUtils> inet) {
            String serviceId = env.getProperty("spring.application.name");
            if (serviceId == null || serviceId.isBlank()) {
                throw new IllegalStateException("spring.application.name must be set: it is the service id this "
                        + "application registers as (or set spring.cloud.registry.registration.enabled=false)");
            }
            String host = properties.getHost();
            if (host == null || host.isBlank()) {
                InetUtils utils = inet.getIfAvailable();
                host = utils != null ? utils.findFirstNonLoopbackHostInfo().getIpAddress() : "127.0.0.1";
            }
            int port = env.getProperty("server.port", Integer.class, 8080);
            boolean explicit = properties.getInstanceId() != null && !properties.getInstanceId().isBlank();
            String instanceId = explicit ? properties.getInstanceId() : serviceId + ":" + host + ":" + port;
            return new RegistryRegistration(new RegistryServiceInstance(instanceId, serviceId, host, port,
                    properties.isSecure(), properties.getZone(), RegistryServiceInstance.UP, properties.getMetadata()),
                    explicit);
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(AutoServiceRegistrationProperties.class)
        @ConditionalOnProperty(value = "spring.cloud.service-registry.auto-registration.enabled", matchIfMissing = true)
        public RegistryAutoServiceRegistration registryAutoServiceRegistration(
                ApplicationContext context, RegistryServiceRegistry registry,
                AutoServiceRegistrationProperties autoProperties, RegistryRegistration registration,
                RegistryDiscoveryProperties properties) {
            return new RegistryAutoServiceRegistration(context, registry, autoProperties, registration, properties);
        }

        /** Deregisters when the context starts closing, before the web server stops (see RegistryAutoServiceRegistration). */
        @Bean
        @ConditionalOnBean(RegistryAutoServiceRegistration.class)
        public org.springframework.context.ApplicationListener<org.springframework.context.event.ContextClosedEvent>
                registryDeregistrationOnClose(RegistryAutoServiceRegistration autoRegistration) {
            return autoRegistration::onContextClosed;
        }
    }
}
