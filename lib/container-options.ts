import * as kplus from 'cdk8s-plus-27';
import { restrictedSecurityContext } from './security';

/** The image pattern containers run when none is given: small, has sh, nc, awk, tail and httpd. */
export const DEFAULT_IMAGE = 'busybox:1.36';

/**
 * Options for one container a pattern adds. Any cdk8s-plus container prop can be given;
 * the pattern fills in what is left out.
 */
export interface ContainerOptions extends Omit<kplus.ContainerProps, 'image'> {
  /**
   * Container image.
   * @default 'busybox:1.36'
   */
  readonly image?: string;
}

/** What a pattern fills in when the user leaves it out. */
export interface ContainerDefaults {
  readonly name: string;
  readonly resources: kplus.ContainerResources;
  readonly command?: string[];
  readonly envVariables?: Record<string, kplus.EnvValue>;
}

/**
 * Merges the user's options over a pattern's defaults. Security fields merge one by one over the
 * restricted defaults, so `securityContext: { readOnlyRootFilesystem: false }` relaxes that field only;
 * env variables merge too, the user's winning.
 */
export function containerProps(options: ContainerOptions, defaults: ContainerDefaults): kplus.ContainerProps {
  return {
    ...options,
    name: options.name ?? defaults.name,
    image: options.image ?? DEFAULT_IMAGE,
    command: options.command ?? defaults.command,
    resources: options.resources ?? defaults.resources,
    envVariables: { ...defaults.envVariables, ...options.envVariables },
    securityContext: restrictedSecurityContext(options.securityContext),
  };
}

/** A DNS-1123 label from a construct id, so ids like `LogShipper` name containers `log-shipper`. */
export function containerNameFromId(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
