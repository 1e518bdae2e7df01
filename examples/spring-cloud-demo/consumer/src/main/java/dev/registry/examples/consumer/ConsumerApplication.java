package dev.registry.examples.consumer;

import java.net.http.HttpClient;
import java.time.Duration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The service {@code demo-consumer}: calls {@code http://demo-provider/hello} through Spring Cloud
 * LoadBalancer in a loop ({@link DemoLoop}). The registry-spring-cloud starter feeds the load
 * balancer the instances of {@code demo-provider} as the registry pushes them.
 */
@SpringBootApplication
public class ConsumerApplication {

    /** Service ids instead of host names: {@code http://demo-provider/...}. Short timeouts for a demo. */
    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClientBuilder() {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(500))
                .build();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
        requests.setReadTimeout(Duration.ofSeconds(2));
        return RestClient.builder().requestFactory(requests);
    }

    public static void main(String[] args) {
        SpringApplication.run(ConsumerApplication.class, args);
    }
}
