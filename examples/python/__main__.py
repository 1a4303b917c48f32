"""pulumi-zookeeper from Python, through the zkdiscovery provider plugin.

Primes a chroot, registers a service instance in Curator's format, manages a znode, and looks the
service's providers up. The stack config sets the ensemble:
    pulumi config set zkdiscovery:connectString zk1:2181,zk2:2181,zk3:2181
"""
import pulumi
import pulumi_zkdiscovery as zk

config = pulumi.Config()
root = config.get("root") or "/zk-python"

chroot = zk.ZkChroot(
    "chroot",
    path=root,
    children={"services": "", "config": ""},
    delete_policy="recursive",
)

api = zk.ZkServiceRegistration(
    "api",
    connect_string=chroot.connect_string,
    service="api",
    instance_id="api-1",
    address="10.0.0.1",
    port=8080,
    format="curator",
    payload={"zone": "eu-1"},
)

flag = zk.ZkNode(
    "feature-flag",
    connect_string=chroot.connect_string,
    path="/config/feature-flag",
    data=config.get("flag") or "on",
)

# Runs on every preview and up; naming the registration's outputs orders it after the write.
providers = zk.get_service_instances_output(connect_string=api.connect_string, service=api.service)

pulumi.export("connectString", chroot.connect_string)
pulumi.export("instances", providers.instances)
pulumi.export("flagVersion", flag.version)
