// pulumi-zookeeper from Go, through the zkdiscovery provider plugin: primes a chroot, registers a
// service instance in Curator's format, manages a znode, and looks the service's providers up.
// The stack config sets the ensemble: pulumi config set zkdiscovery:connectString zk1:2181,...
package main

import (
	"github.com/pulumi-zookeeper/pulumi-zookeeper/sdk/go/zkdiscovery"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		conf := config.New(ctx, "")
		root := conf.Get("root")
		if root == "" {
			root = "/zk-go"
		}
		chroot, err := zkdiscovery.NewZkChroot(ctx, "chroot", &zkdiscovery.ZkChrootArgs{
			Path:         pulumi.String(root),
			Children:     pulumi.StringMap{"services": pulumi.String(""), "config": pulumi.String("")},
			DeletePolicy: pulumi.String("recursive"),
		})
		if err != nil {
			return err
		}
		api, err := zkdiscovery.NewZkServiceRegistration(ctx, "api", &zkdiscovery.ZkServiceRegistrationArgs{
			ConnectString: chroot.ConnectString,
			Service:       pulumi.String("api"),
			InstanceId:    pulumi.String("api-1"),
			Address:       pulumi.String("10.0.0.1"),
			Port:          pulumi.Int(8080),
			Format:        pulumi.String("curator"),
		})
		if err != nil {
			return err
		}
		flag, err := zkdiscovery.NewZkNode(ctx, "feature-flag", &zkdiscovery.ZkNodeArgs{
			ConnectString: chroot.ConnectString,
			Path:          pulumi.String("/config/feature-flag"),
			Data:          pulumi.String("on"),
		})
		if err != nil {
			return err
		}
		// Runs on every preview and up; naming the registration's outputs orders it after the write.
		providers := zkdiscovery.GetServiceInstancesOutput(ctx, zkdiscovery.GetServiceInstancesOutputArgs{
			ConnectString: api.ConnectString,
			Service:       api.Service,
		})
		ctx.Export("connectString", chroot.ConnectString)
		ctx.Export("instances", providers.Instances())
		ctx.Export("flagVersion", flag.Version)
		return nil
	})
}
