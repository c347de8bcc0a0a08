// test/languages/app.ts in Go: must print the same YAML.
package main

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	patterns "github.com/cdk8s-multi-container-patterns/cdk8s-multi-container-patterns-go/cdk8smulticontainerpatterns"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2"
)

func resources(cpuRequest, cpuLimit, memoryRequest, memoryLimit float64) *cdk8splus27.ContainerResources {
	return patterns.Resources_Container(&patterns.ContainerResourceAmounts{
		CpuMillis:       &patterns.RequestAndLimit{Request: jsii.Number(cpuRequest), Limit: jsii.Number(cpuLimit)},
		MemoryMebibytes: &patterns.RequestAndLimit{Request: jsii.Number(memoryRequest), Limit: jsii.Number(memoryLimit)},
	})
}

func main() {
	defer jsii.Close()
	app := cdk8s.NewApp(nil)

	// The demo pod (lib/examples/demo-chart.ts).
	demo := cdk8s.NewChart(app, jsii.String("demo"), nil)
	pod := cdk8splus27.NewPod(demo, jsii.String("Pod"), &cdk8splus27.PodProps{
		Metadata: &cdk8s.ApiObjectMetadata{
			Name:   jsii.String("multi-container-pod"),
			Labels: &map[string]*string{"app": jsii.String("multi-container-app"), "env": jsii.String("dev")},
		},
		SecurityContext: patterns.RestrictedSecurity_POD(),
	})
	patterns.RestrictedSecurity_AddContainer(pod, &cdk8splus27.ContainerProps{
		Name:         jsii.String("demoapp-container"),
		Image:        jsii.String("busybox:latest"),
		Command:      jsii.Strings("sh", "-c", `echo "Running the main application..."; sleep 10; echo "Main application complete."`),
		EnvVariables: &map[string]cdk8splus27.EnvValue{"DEMO_ENV": cdk8splus27.EnvValue_FromValue(jsii.String("dev"))},
		Resources:    resources(100, 250, 64, 128),
	})
	cdk8s.ApiObject_Of(pod).AddJsonPatch(cdk8s.JsonPatch_Remove(jsii.String("/metadata/labels/cdk8s.io~1metadata.addr")))
	patterns.NewInitSteps(demo, jsii.String("Init"), &patterns.InitStepsProps{
		Workload: pod,
		HandOff:  jsii.Bool(false),
		Steps: &[]*patterns.InitStepOptions{{
			Name:         jsii.String("init-demoapp-container"),
			Image:        jsii.String("busybox:latest"),
			Command:      jsii.Strings("sh", "-c", `echo "Initializing the application..."; sleep 5; echo "Initialization complete."`),
			EnvVariables: &map[string]cdk8splus27.EnvValue{"INIT_ENV": cdk8splus27.EnvValue_FromValue(jsii.String("init-dev"))},
			Resources:    resources(50, 100, 32, 64),
		}},
	})

	// A Deployment with one of each pattern.
	withPatterns := cdk8s.NewChart(app, jsii.String("patterns"), nil)
	web := cdk8splus27.NewDeployment(withPatterns, jsii.String("Web"), &cdk8splus27.DeploymentProps{
		SecurityContext: patterns.RestrictedSecurity_POD(),
	})
	patterns.RestrictedSecurity_AddContainer(web, &cdk8splus27.ContainerProps{
		Name:       jsii.String("app"),
		Image:      jsii.String("busybox:1.36"),
		Command:    jsii.Strings("sh", "-c", "httpd -f -p 8080"),
		PortNumber: jsii.Number(8080),
		Resources:  resources(100, 200, 64, 128),
	})
	patterns.NewInitSteps(withPatterns, jsii.String("Setup"), &patterns.InitStepsProps{
		Workload: web,
		Steps:    &[]*patterns.InitStepOptions{{Name: jsii.String("write-config"), Command: jsii.Strings("sh", "-c", `echo ready > "$HANDOFF_DIR/config"`)}},
	})
	patterns.NewSidecar(withPatterns, jsii.String("LogShipper"), &patterns.SidecarProps{
		Workload:       web,
		SharedPath:     jsii.String("/var/log/app"),
		SharedReadOnly: jsii.Bool(true),
		Command:        jsii.Strings("sh", "-c", "tail -F /var/log/app/app.log"),
	})
	patterns.NewAmbassador(withPatterns, jsii.String("Db"), &patterns.AmbassadorProps{
		Workload:  web,
		Upstreams: &[]*patterns.AmbassadorUpstream{{Name: jsii.String("db"), Host: jsii.String("db.data"), Port: jsii.Number(5432)}},
	})
	patterns.NewAdapter(withPatterns, jsii.String("Metrics"), &patterns.AdapterProps{
		Workload: web,
		Source:   patterns.AdapterSource_StatsEndpoint(jsii.Number(8080), jsii.String("/stats")),
	})

	// A native sidecar in a Job targeting Kubernetes 1.29.
	nativeJob := cdk8s.NewChart(app, jsii.String("native-job"), nil)
	patterns.KubernetesTarget_Set(nativeJob, patterns.KubernetesVersion_V1_29())
	job := cdk8splus27.NewJob(nativeJob, jsii.String("Report"), &cdk8splus27.JobProps{
		SecurityContext: patterns.RestrictedSecurity_POD(),
	})
	patterns.RestrictedSecurity_AddContainer(job, &cdk8splus27.ContainerProps{
		Name:      jsii.String("report"),
		Image:     jsii.String("busybox:1.36"),
		Command:   jsii.Strings("sh", "-c", "wget -q -O - http://127.0.0.1:9000/"),
		Resources: resources(50, 100, 32, 64),
	})
	patterns.NewSidecar(nativeJob, jsii.String("Server"), &patterns.SidecarProps{
		Workload:   job,
		PortNumber: jsii.Number(9000),
		Command:    jsii.Strings("sh", "-c", "httpd -f -p 9000"),
	})

	fmt.Print(*app.SynthYaml())
}
