// Values users give the constructs, checked where they are given: mount paths, and how a value reads in a message.
import * as path from 'path';
import { IConstruct } from 'constructs';

/** Absolute, each segment neither empty, '.' nor '..', no trailing slash, no NUL or newline. */
const NORMALIZED_PATH = /^(?:\/(?!\.\.?(?:\/|$))[^/\0\n]+)+$/;

/**
 * Checks a directory path a pattern mounts or shares and returns it normalized: absolute, without
 * `..`, not the root, no trailing slash. Mounting an emptyDir over `/` or a relative path is refused
 * by the kubelet or hides the image's files, so it is refused here, where the construct is known.
 */
export function checkSharedPath(scope: string | IConstruct, what: string, value: unknown): string {
  // The usual case, already normalized, is returned as it is: one string shared by every pod.
  if (typeof value === 'string' && NORMALIZED_PATH.test(value)) return value;
  // A construct's path is made only for a message.
  const where = typeof scope === 'string' ? scope : scope.node.path;
  const fix = "Give an absolute directory path such as '/var/log/app'.";
  if (typeof value !== 'string') {
    throw new Error(`${where}: ${what} is ${describeValue(value)}, not a string. ${fix}`);
  }
  if (!value.startsWith('/') || value.split('/').includes('..') || /[\0\n]/.test(value)) {
    throw new Error(`${where}: ${what} '${value}' is not an absolute path without '..'. ${fix}`);
  }
  const normalized = path.posix.normalize(value).replace(/\/+$/, '');
  if (normalized === '') {
    throw new Error(`${where}: ${what} is '/', which would hide the image's whole file system. ${fix}`);
  }
  return normalized;
}

/** A value as an error message shows it: strings quoted, everything else as JSON would. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || value === undefined || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
