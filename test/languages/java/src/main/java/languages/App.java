package languages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.cdk8s_multi_container_patterns.Adapter;
import io.github.cdk8s_multi_container_patterns.AdapterSource;
import io.github.cdk8s_multi_container_patterns.Ambassador;
import io.github.cdk8s_multi_container_patterns.AmbassadorUpstream;
import io.github.cdk8s_multi_container_patterns.ContainerResourceAmounts;
import io.github.cdk8s_multi_container_patterns.InitStepOptions;
import io.github.cdk8s_multi_container_patterns.InitSteps;
import io.github.cdk8s_multi_container_patterns.KubernetesTarget;
import io.github.cdk8s_multi_container_patterns.KubernetesVersion;
import io.github.cdk8s_multi_container_patterns.RequestAndLimit;
import io.github.cdk8s_multi_container_patterns.Resources;
import io.github.cdk8s_multi_container_patterns.RestrictedSecurity;
import io.github.cdk8s_multi_container_patterns.Sidecar;
import org.cdk8s.ApiObject;
import org.cdk8s.ApiObjectMetadata;
import org.cdk8s.Chart;
import org.cdk8s.JsonPatch;
import org.cdk8s.plus27.ContainerProps;
import org.cdk8s.plus27.ContainerResources;
import org.cdk8s.plus27.Deployment;
import org.cdk8s.plus27.EnvValue;
import org.cdk8s.plus27.Job;
import org.cdk8s.plus27.Pod;

/** test/languages/app.ts in Java: must write the same YAML, to the file named by its argument (Maven's own output shares stdout). */
public final class App {
    private static ContainerResources resources(int cpuRequest, int cpuLimit, int memoryRequest, int memoryLimit) {
        return Resources.container(ContainerResourceAmounts.builder()
                .cpuMillis(RequestAndLimit.builder().request(cpuRequest).limit(cpuLimit).build())
                .memoryMebibytes(RequestAndLimit.builder().request(memoryRequest).limit(memoryLimit).build())
                .build());
    }

    public static void main(String[] args) throws IOException {
        org.cdk8s.App app = new org.cdk8s.App();

        // The demo pod (lib/examples/demo-chart.ts).
        Chart demo = new Chart(app, "demo");
        Pod pod = Pod.Builder.create(demo, "Pod")
                .metadata(ApiObjectMetadata.builder()
                        .name("multi-container-pod")
                        .labels(Map.of("app", "multi-container-app", "env", "dev"))
                        .build())
                .securityContext(RestrictedSecurity.POD)
                .build();
        RestrictedSecurity.addContainer(pod, ContainerProps.builder()
                .name("demoapp-container")
                .image("busybox:latest")
                .command(List.of("sh", "-c", "echo \"Running the main application...\"; sleep 10; echo \"Main application complete.\""))
                .envVariables(Map.of("DEMO_ENV", EnvValue.fromValue("dev")))
                .resources(resources(100, 250, 64, 128))
                .build());
        ApiObject.of(pod).addJsonPatch(JsonPatch.remove("/metadata/labels/cdk8s.io~1metadata.addr"));
        InitSteps.Builder.create(demo, "Init")
                .workload(pod)
                .handOff(false)
                .steps(List.of(InitStepOptions.builder()
                        .name("init-demoapp-container")
                        .image("busybox:latest")
                        .command(List.of("sh", "-c", "echo \"Initializing the application...\"; sleep 5; echo \"Initialization complete.\""))
                        .envVariables(Map.of("INIT_ENV", EnvValue.fromValue("init-dev")))
                        .resources(resources(50, 100, 32, 64))
                        .build()))
                .build();

        // A Deployment with one of each pattern.
        Chart patterns = new Chart(app, "patterns");
        Deployment web = Deployment.Builder.create(patterns, "Web")
                .securityContext(RestrictedSecurity.POD)
                .build();
        RestrictedSecurity.addContainer(web, ContainerProps.builder()
                .name("app")
                .image("busybox:1.36")
                .command(List.of("sh", "-c", "httpd -f -p 8080"))
                .portNumber(8080)
                .resources(resources(100, 200, 64, 128))
                .build());
        InitSteps.Builder.create(patterns, "Setup")
                .workload(web)
                .steps(List.of(InitStepOptions.builder().name("write-config").command(List.of("sh", "-c", "echo ready > \"$HANDOFF_DIR/config\"")).build()))
                .build();
        Sidecar.Builder.create(patterns, "LogShipper")
                .workload(web)
                .sharedPath("/var/log/app")
                .sharedReadOnly(true)
                .command(List.of("sh", "-c", "tail -F /var/log/app/app.log"))
                .build();
        Ambassador.Builder.create(patterns, "Db")
                .workload(web)
                .upstreams(List.of(AmbassadorUpstream.builder().name("db").host("db.data").port(5432).build()))
                .build();
        Adapter.Builder.create(patterns, "Metrics").workload(web).source(AdapterSource.statsEndpoint(8080, "/stats")).build();

        // A native sidecar in a Job targeting Kubernetes 1.29.
        Chart nativeJob = new Chart(app, "native-job");
        KubernetesTarget.set(nativeJob, KubernetesVersion.V1_29);
        Job job = Job.Builder.create(nativeJob, "Report")
                .securityContext(RestrictedSecurity.POD)
                .build();
        RestrictedSecurity.addContainer(job, ContainerProps.builder()
                .name("report")
                .image("busybox:1.36")
                .command(List.of("sh", "-c", "wget -q -O - http://127.0.0.1:9000/"))
                .resources(resources(50, 100, 32, 64))
                .build());
        Sidecar.Builder.create(nativeJob, "Server")
                .workload(job)
                .portNumber(9000)
                .command(List.of("sh", "-c", "httpd -f -p 9000"))
                .build();

        Files.writeString(Path.of(args[0]), app.synthYaml());
    }
}
