"""test/languages/app.ts in Python: must print the same YAML. With --broken, the rule error must arrive as an exception.
With --include, the patterns on objects from Include, by hand and through a selector, as app.ts --include prints them."""
import sys

import cdk8s_plus_27 as kplus
from cdk8s import ApiObject, App, Chart, Helm, Include, JsonPatch
from cdk8s_multi_container_patterns import (
    Adapter,
    AdapterSource,
    Ambassador,
    AmbassadorUpstream,
    InitStepOptions,
    InitSteps,
    KubernetesTarget,
    KubernetesVersion,
    RequestAndLimit,
    Resources,
    RestrictedSecurity,
    Sidecar,
    WorkloadSelector,
)

if "--include" in sys.argv:
    included = App()
    chart = Chart(included, "upstream")
    KubernetesTarget.set(chart, KubernetesVersion.V1_29)
    web = next(o for o in Include(chart, "Upstream", url="lib/examples/manifests/web.yaml").api_objects if o.kind == "Deployment")
    Sidecar(chart, "Logs", workload=web, app_container="nginx", shared_path="/var/log/nginx", command=["sh", "-c", "tail -F /var/log/nginx/access.log"])
    selected = Chart(included, "selected", namespace="shop")
    Include(selected, "Web", url="lib/examples/manifests/web.yaml")
    for workload in WorkloadSelector.with_labels({"tier": "web"}).select_in(selected):
        Ambassador(workload, "Db", workload=workload, upstreams=[AmbassadorUpstream(name="db", host="db.data", port=5432)])
    # A selector injecting into a Helm chart's workloads (the chart offers no sidecar values).
    helm = Chart(included, "helm")
    Helm(helm, "Shop", chart="lib/examples/helm/shop", release_name="shop", helm_executable="scripts/helm")
    for workload in WorkloadSelector.with_labels({"tier": "web"}).select_in(helm):
        Sidecar(workload, "LogShipper", workload=workload, shared_path="/var/log/nginx", command=["sh", "-c", "tail -F /var/log/nginx/access.log"])
    sys.stdout.write(included.synth_yaml())
    sys.exit(0)


def resources(cpu_request, cpu_limit, memory_request, memory_limit):
    return Resources.container(
        cpu_millis=RequestAndLimit(request=cpu_request, limit=cpu_limit),
        memory_mebibytes=RequestAndLimit(request=memory_request, limit=memory_limit),
    )


app = App()

# The demo pod (lib/examples/demo-chart.ts).
demo = Chart(app, "demo")
pod = kplus.Pod(
    demo,
    "Pod",
    metadata={"name": "multi-container-pod", "labels": {"app": "multi-container-app", "env": "dev"}},
    security_context=RestrictedSecurity.POD,
)
RestrictedSecurity.add_container(
    pod,
    name="demoapp-container",
    image="busybox:latest",
    command=["sh", "-c", 'echo "Running the main application..."; sleep 10; echo "Main application complete."'],
    env_variables={"DEMO_ENV": kplus.EnvValue.from_value("dev")},
    resources=resources(100, 250, 64, 128),
)
ApiObject.of(pod).add_json_patch(JsonPatch.remove("/metadata/labels/cdk8s.io~1metadata.addr"))
InitSteps(
    demo,
    "Init",
    workload=pod,
    hand_off=False,
    steps=[
        InitStepOptions(
            name="init-demoapp-container",
            image="busybox:latest",
            command=["sh", "-c", 'echo "Initializing the application..."; sleep 5; echo "Initialization complete."'],
            env_variables={"INIT_ENV": kplus.EnvValue.from_value("init-dev")},
            resources=resources(50, 100, 32, 64),
        )
    ],
)

# A Deployment with one of each pattern.
patterns = Chart(app, "patterns")
web = kplus.Deployment(patterns, "Web", security_context=RestrictedSecurity.POD)
RestrictedSecurity.add_container(
    web,
    name="app",
    image="busybox:1.36",
    command=["sh", "-c", "httpd -f -p 8080"],
    port_number=8080,
    resources=resources(100, 200, 64, 128),
)
InitSteps(patterns, "Setup", workload=web, steps=[InitStepOptions(name="write-config", command=["sh", "-c", 'echo ready > "$HANDOFF_DIR/config"'])])
Sidecar(patterns, "LogShipper", workload=web, shared_path="/var/log/app", shared_read_only=True, command=["sh", "-c", "tail -F /var/log/app/app.log"])
Ambassador(patterns, "Db", workload=web, upstreams=[AmbassadorUpstream(name="db", host="db.data", port=5432)])
Adapter(patterns, "Metrics", workload=web, source=AdapterSource.stats_endpoint(8080, "/stats"))
if "--broken" in sys.argv:
    Sidecar(patterns, "Broken", workload=web, image="Busybox:1.36!", command=["sh"])

# A native sidecar in a Job targeting Kubernetes 1.29.
native_job = Chart(app, "native-job")
KubernetesTarget.set(native_job, KubernetesVersion.V1_29)
job = kplus.Job(native_job, "Report", security_context=RestrictedSecurity.POD)
RestrictedSecurity.add_container(
    job,
    name="report",
    image="busybox:1.36",
    command=["sh", "-c", "wget -q -O - http://127.0.0.1:9000/"],
    resources=resources(50, 100, 32, 64),
)
Sidecar(native_job, "Server", workload=job, port_number=9000, command=["sh", "-c", "httpd -f -p 9000"])

try:
    sys.stdout.write(app.synth_yaml())
except Exception as error:  # jsii raises the library's Error as a Python exception with its message
    sys.stdout.write(f"error: {error}\n")
