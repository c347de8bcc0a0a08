/** Kubernetes' name formats (apimachinery's validation), as the rules and the patterns test names and ports. */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** How to write a DNS-1123 label, for messages about one. */
export const DNS_LABEL_FIX = 'Use at most 63 lower-case letters, digits and \'-\', starting and ending with a letter or digit.';

/** A DNS-1123 label: at most 63 lower-case letters, digits and '-', a letter or digit at each end. */
export function isDnsLabel(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS_1123_LABEL.test(value);
}

/** A DNS-1123 subdomain: at most 253 characters, dot-separated labels. */
export function isDnsSubdomain(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 253 && DNS_1123_SUBDOMAIN.test(value);
}

/** A TCP/UDP port number: an integer from 1 to 65535. */
export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}
