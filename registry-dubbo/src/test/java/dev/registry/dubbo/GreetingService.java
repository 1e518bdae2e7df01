package dev.registry.dubbo;

public interface GreetingService {
    String greet(String name);
}
