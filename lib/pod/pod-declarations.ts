import { ContainerDependencies } from './container-dependencies';
import { FeatureUses } from './feature-uses';
import { ImageVolumes } from './image-volumes';
import { PatternContainers } from './pattern-containers';
import { PatternEnv } from './pattern-env';
import { PodHost } from './pod-host';
import { PodSettings } from './pod-settings';
import { RestartRules } from './restart-rules';
import { SharedDirectories } from './shared-directories';

/**
 * What the patterns attached to one workload declared, each declaration owning its list: the
 * renderer (lib/render) turns them into the manifest and the checks (lib/checks) read them, so
 * neither needs the PodComposition facade that users call.
 */
export class PodDeclarations {
  /** The containers patterns added, in order. */
  public readonly containers: PatternContainers;
  /** The emptyDirs patterns share, and their mounts. */
  public readonly directories: SharedDirectories;
  /** Which container waits for which. */
  public readonly dependencies: ContainerDependencies;
  /** The env variables patterns set. */
  public readonly env: PatternEnv;
  /** Settings of the whole pod. */
  public readonly settings: PodSettings;
  /** The images mounted as volumes. */
  public readonly images: ImageVolumes;
  /** What a container's exit restarts. */
  public readonly restarts: RestartRules;
  /** The Kubernetes features the declarations render that not every target has. */
  public readonly features = new FeatureUses();
  /** The warnings the checks printed for this pod, so each shows once however often it renders. */
  public readonly printedWarnings = new Set<string>();

  constructor(public readonly host: PodHost) {
    this.containers = new PatternContainers(host);
    this.directories = new SharedDirectories(host);
    this.dependencies = new ContainerDependencies(host);
    this.env = new PatternEnv(host);
    this.settings = new PodSettings(host.workload);
    this.images = new ImageVolumes(host);
    this.restarts = new RestartRules(host);
  }
}
