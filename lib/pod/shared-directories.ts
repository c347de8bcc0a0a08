import { posix } from 'path';
import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { checkSharedPath, describeValue } from '../kubernetes/values';
import { PodHost } from './pod-host';
import { Interned } from '../kubernetes/interned';
import { containersOf, named, PodSpecJson } from '../kubernetes/manifest';
import { quantityProblem } from '../kubernetes/quantity';

/** How one container mounts a shared directory. */
export interface DirectoryMountOptions {
  /**
   * Where the directory is mounted in this container.
   * @default - the directory's path (its path in the app)
   */
  readonly mountPath?: string;
  /**
   * Mount it read-only. Where several patterns mount one directory in one container, it is
   * read-only only if every one of them asks for that, so attach order never matters.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** How a shared emptyDir is backed. */
export interface SharedDirectoryOptions {
  /**
   * `EmptyDirMedium.MEMORY` keeps it in RAM (tmpfs), e.g. for secrets an init step renders; it
   * counts against the memory limit of the containers that write it.
   * @default - the node's disk
   */
  readonly medium?: kplus.EmptyDirMedium;
  /**
   * The most it may hold; the kubelet evicts the pod above it. On `EmptyDirMedium.MEMORY` it is
   * memory, and counts against the memory limits of the containers that write it.
   * @default - the pattern's: 128 MiB for a directory a Sidecar or an Adapter shares (logs), 16 MiB for the InitSteps hand-off
   */
  readonly sizeLimit?: Size;
}

// Records keep the declaring construct, not its path: a path is a new string each time it is read,
// and it is only needed in messages.

interface SharedDirectory {
  readonly path: string;
  readonly volumeName: string;
  options: SharedDirectoryOptions;
  /** The largest default size limit of the patterns that share it: rendered unless a sizeLimit is given. */
  defaultSizeLimit: Size;
  readonly declaredBy: IConstruct;
}

interface DirectoryMount {
  readonly directory: SharedDirectory;
  /** The container's name: patterns address the pod's containers by name, whatever renders them. */
  readonly container: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly declaredBy: IConstruct;
}

/** An emptyDir on the node's disk of the pattern's default size: one object shared by every directory declared so. */
const ON_NODE_DISK: SharedDirectoryOptions = Object.freeze({});

/**
 * The emptyDirs patterns share between a workload's containers, one per directory path, and who
 * mounts each where. Rendered as the pod's volumes and the containers' volumeMounts.
 */
export class SharedDirectories {
  private readonly directories: SharedDirectory[] = [];
  private readonly mounts: DirectoryMount[] = [];

  constructor(private readonly host: PodHost) {}

  /**
   * Mounts the directory `path` (declared now if new) in `container`; returns its volume name.
   * @param backing the emptyDir's medium and size limit; left out, on the node's disk
   * @param defaultSizeLimit the size limit when no declaration of the directory gives one: the largest of the declaring patterns' defaults
   */
  public add(
    declaredBy: IConstruct,
    container: string,
    path: string,
    mount: DirectoryMountOptions,
    backing: SharedDirectoryOptions | undefined,
    defaultSizeLimit: Size,
  ): string {
    const directoryPath = checkSharedPath(declaredBy, 'shared path', path);
    const mountPath = mount.mountPath === undefined ? directoryPath : checkSharedPath(declaredBy, 'mount path', mount.mountPath);
    const directory = this.directory(declaredBy, directoryPath, backing ?? ON_NODE_DISK, defaultSizeLimit);
    for (const other of this.mounts) {
      if (other.container !== container) continue;
      const samePath = other.mountPath === mountPath;
      if ((other.directory === directory) !== samePath) {
        throw new Error(
          `${declaredBy.node.path}: container '${container}' would mount ${samePath ? `two shared directories at ${mountPath}` : `shared directory ${directoryPath} twice, at ${other.mountPath} and ${mountPath}`} ` +
            `(the other mount was declared by ${other.declaredBy.node.path}). Mount each directory once per container, each at a path of its own.`,
        );
      }
    }
    this.mounts.push({ directory, container, mountPath, readOnly: mount.readOnly ?? false, declaredBy });
    return directory.volumeName;
  }

  /**
   * The paths `container`'s mounts show to be directories: where its own volumes and the shared
   * directories are mounted, and every parent of those paths.
   */
  public directoriesOf(container: string): string[] {
    const directories: string[] = [];
    const add = (mountPath: string): void => {
      for (let at = mountPath; at !== '/' && at !== '.' && !directories.includes(at); at = posix.dirname(at)) directories.push(at);
    };
    for (const path of this.host.ownMountPaths(container)) add(path);
    for (const mount of this.mounts) if (mount.container === container) add(mount.mountPath);
    return directories;
  }

  /** Adds the emptyDirs to the pod's volumes and each mount to its container. */
  public render(spec: PodSpecJson): void {
    if (this.directories.length === 0) return;
    const containers = containersOf(spec);
    spec.volumes = spec.volumes ?? [];
    for (const directory of this.directories) {
      const { medium, sizeLimit } = directory.options;
      if (named(spec.volumes, directory.volumeName)) {
        throw new Error(
          `${this.host.path}: shared directory ${directory.path} (declared by ${directory.declaredBy.node.path}) needs volume '${directory.volumeName}', ` +
            "but the pod has a volume of that name already. Rename the pod's volume.",
        );
      }
      const emptyDir: Record<string, string> = {};
      if (medium) emptyDir.medium = medium;
      const limit = sizeLimit ?? defaultLimitFor(medium, directory.defaultSizeLimit);
      if (limit) emptyDir.sizeLimit = quantityOfSize(limit);
      spec.volumes.push({ emptyDir, name: directory.volumeName });
    }
    for (const mount of this.mounts) {
      const container = named(containers, mount.container);
      if (!container) continue;
      container.volumeMounts = container.volumeMounts ?? [];
      const existing = named(container.volumeMounts, mount.directory.volumeName);
      if (existing) {
        // Writable wins: a directory some pattern writes to is never made read-only by another.
        if (!mount.readOnly) delete existing.readOnly;
        continue;
      }
      container.volumeMounts.push(
        mount.readOnly
          ? { mountPath: mount.mountPath, name: mount.directory.volumeName, readOnly: true }
          : { mountPath: mount.mountPath, name: mount.directory.volumeName },
      );
    }
  }

  private directory(declaredBy: IConstruct, path: string, backing: SharedDirectoryOptions, defaultSizeLimit: Size): SharedDirectory {
    checkBacking(declaredBy, path, backing);
    const existing = this.directories.find((d) => d.path === path);
    if (!existing) {
      const directory = { path, volumeName: sharedVolumeName(path), options: backing, defaultSizeLimit, declaredBy };
      this.directories.push(directory);
      return directory;
    }
    if (defaultSizeLimit.toKibibytes() > existing.defaultSizeLimit.toKibibytes()) existing.defaultSizeLimit = defaultSizeLimit;
    // What one declaration leaves out, another may set; only two different values conflict.
    const medium = backing.medium ?? existing.options.medium;
    const sizeLimit = backing.sizeLimit ?? existing.options.sizeLimit;
    const differs = (backing.medium !== undefined && existing.options.medium !== undefined && backing.medium !== existing.options.medium) ||
      (backing.sizeLimit !== undefined && existing.options.sizeLimit !== undefined && quantityOfSize(backing.sizeLimit) !== quantityOfSize(existing.options.sizeLimit));
    if (differs) {
      throw new Error(
        `${declaredBy.node.path}: shared directory ${path} is already declared by ${existing.declaredBy.node.path} with another medium or size limit. ` +
          'Give the same medium and sizeLimit in both, or leave them out in one.',
      );
    }
    existing.options = { medium, sizeLimit };
    return existing;
  }
}

/**
 * tmpfs counts against the memory of the container that writes it, so a memory-backed directory
 * without a size limit of its own gets a small one, whatever the patterns' disk default.
 */
const MEMORY_BACKED_DEFAULT_LIMIT = Size.mebibytes(16);

/** The size limit a directory gets when none is given: none on huge pages, which their own resource bounds. */
function defaultLimitFor(medium: string | undefined, onDisk: Size): Size | undefined {
  if (medium === 'Memory') return MEMORY_BACKED_DEFAULT_LIMIT;
  return medium?.startsWith('HugePages') ? undefined : onDisk;
}

/** Media Kubernetes knows for an emptyDir: the node's disk (''), tmpfs, and huge pages (of one size). */
const EMPTY_DIR_MEDIUM = /^(|Memory|HugePages|HugePages-[0-9]+[KMGTPE]i)$/;

/** Throws, naming the construct, on a medium Kubernetes does not know or a size limit it would refuse. */
function checkBacking(declaredBy: IConstruct, path: string, backing: SharedDirectoryOptions): void {
  if (typeof backing !== 'object' || backing === null) {
    throw new Error(`${declaredBy.node.path}: the backing of shared directory ${path} is ${describeValue(backing)}. Give { medium, sizeLimit } or leave it out.`);
  }
  const { medium, sizeLimit } = backing;
  if (medium !== undefined && (typeof medium !== 'string' || !EMPTY_DIR_MEDIUM.test(medium))) {
    throw new Error(
      `${declaredBy.node.path}: medium ${describeValue(medium)} of shared directory ${path} is not one Kubernetes knows. ` +
        "Give EmptyDirMedium.MEMORY, 'HugePages' or 'HugePages-2Mi', or leave it out for the node's disk.",
    );
  }
  if (sizeLimit === undefined) return;
  // Duck-typed, so a Size from another copy of cdk8s works too.
  if (typeof (sizeLimit as Partial<Size>)?.toKibibytes !== 'function') {
    throw new Error(`${declaredBy.node.path}: sizeLimit of shared directory ${path} is ${describeValue(sizeLimit)}, not a Size. Give e.g. Size.mebibytes(64).`);
  }
  const quantity = quantityOfSize(sizeLimit);
  if (quantityProblem(quantity) !== undefined) {
    throw new Error(
      `${declaredBy.node.path}: sizeLimit of shared directory ${path} renders as '${quantity}', which is not a Kubernetes quantity. ` +
        'Give a finite Size, e.g. Size.mebibytes(64).',
    );
  }
}

const VOLUME_NAMES = new Interned<string>();

/**
 * A volume name (DNS-1123 label) that tells what it holds and cannot clash: a slug of the path
 * and a short hash of it, e.g. `shared-var-log-app-1a2b3c`, so /var/log/app and /var/log-app differ.
 */
function sharedVolumeName(path: string): string {
  return VOLUME_NAMES.of(path, () => {
    const slug = path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
    return `shared-${slug}-${shortHash(path)}`;
  });
}

/** Six hex digits of FNV-1a: stable across runs and platforms. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0').slice(0, 6);
}

/** A cdk8s Size as a Kubernetes quantity: in Mi when whole, else in Ki (the smallest unit Size has), fractions kept. */
function quantityOfSize(size: Size): string {
  const kibibytes = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  return Number.isInteger(kibibytes) && kibibytes % 1024 === 0 ? `${kibibytes / 1024}Mi` : `${kibibytes}Ki`;
}
