package interop;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A typed Curator payload, as a Java app declares one (Spring Cloud Zookeeper's
 * ZookeeperInstance is such a class): CuratorDiscovery's {@code query --payload-class=interop.Details}
 * builds its ServiceDiscovery with {@code ServiceDiscoveryBuilder.builder(Details.class)}, so
 * Jackson instantiates this class from a payload whose {@code "@class"} names it, and Curator's
 * serializer then casts every payload to it (a payload of another class fails the query).
 */
public class Details {
  private String zone;
  private int weight;
  private Map<String, String> metadata = new LinkedHashMap<>();

  public String getZone() {
    return zone;
  }

  public void setZone(String zone) {
    this.zone = zone;
  }

  public int getWeight() {
    return weight;
  }

  public void setWeight(int weight) {
    this.weight = weight;
  }

  public Map<String, String> getMetadata() {
    return metadata;
  }

  public void setMetadata(Map<String, String> metadata) {
    this.metadata = metadata;
  }
}
