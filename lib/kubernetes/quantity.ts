import { Interned } from './interned';

/**
 * Kubernetes resource quantities ("100m", "64Mi", "1.5", "1e3"), parsed exactly: BigInt, never
 * floating point, so 700m + 100m is 800m and a request equal to its limit compares equal.
 */

/**
 * What apimachinery's ParseQuantity accepts (k8s.io/apimachinery/pkg/api/resource): an optional
 * sign, digits with an optional fraction ("1.", ".5"), then one suffix: binary SI (Ki..Ei),
 * decimal SI (n, u, m, k, M, G, T, P, E) or a decimal exponent with an integer power ("e3", "E-2").
 */
const QUANTITY = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/** Powers of ten per decimal suffix; binary suffixes are powers of two. */
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENTS: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Kubernetes keeps nothing finer than 10^-9 and rounds up to it; so do we. */
const NANO_EXPONENT = -9;

/**
 * Beyond 10^40 of a unit no cluster can schedule anything, and a BigInt of 10^(10^9) would not fit
 * in memory: quantities past this are refused as out of range rather than computed.
 */
const LARGEST_EXPONENT = 40;

/** A parsed quantity, in billionths of its unit (nanocores, nanobytes): exact and integral. */
export type Nanos = bigint;

const NANOS_PER_MILLI = 10n ** 6n;
const NANOS_PER_UNIT = 10n ** 9n;
const BYTES_PER_MEBIBYTE = 2n ** 20n;

/** A quantity as checked: its amount, or why Kubernetes refuses it (a sentence such as 'is negative'). */
export type CheckedQuantity = Nanos | string;

/** The amount a value stands for, or why it is not a quantity Kubernetes accepts for cpu or memory. */
export function checkQuantity(value: string | number): CheckedQuantity {
  // A few distinct quantities ('50m', '64Mi') recur in every pod: each text is checked once.
  if (typeof value === 'string') return CHECKED.of(value, checkText);
  // Numbers are read as Kubernetes reads a JSON number: by their text ("1e+21").
  return Number.isFinite(value) ? checkText(String(value)) : 'is not a finite number';
}

/** Why a value is not a quantity Kubernetes accepts for cpu or memory, or undefined when it is. */
export function quantityProblem(value: string | number): string | undefined {
  const checked = checkQuantity(value);
  return typeof checked === 'string' ? checked : undefined;
}

/**
 * The quantity in billionths of its unit, rounded up as Kubernetes rounds, or undefined when the
 * text is not a quantity, or null when its magnitude is past any real cluster (see LARGEST_EXPONENT).
 */
export function parseQuantity(value: string | number): Nanos | undefined | null {
  return parseText(String(value));
}

/** Checked quantities by their text. */
const CHECKED = new Interned<CheckedQuantity>(10_000);

function checkText(text: string): CheckedQuantity {
  const nanos = parseText(text);
  if (nanos === undefined) return 'is not a Kubernetes quantity';
  if (nanos === null) return 'is too large';
  if (nanos < 0n) return 'is negative';
  return nanos;
}

function parseText(value: string): Nanos | undefined | null {
  const text = value.trim();
  const match = QUANTITY.exec(text);
  if (!match || (match[2] === '' && !match[3])) return undefined;
  const [, sign, whole, fraction = '', suffix = ''] = match;
  const digits = BigInt(`${whole}${fraction}`);
  // Zero is zero at any scale ("0e999999999" must not build 10^999999999).
  if (digits === 0n) return 0n;
  const decimalExponent =
    suffix in BINARY_EXPONENTS ? 0 : suffix in DECIMAL_EXPONENTS ? DECIMAL_EXPONENTS[suffix] : Number(suffix.slice(1));
  const magnitude = whole.replace(/^0+/, '').length + decimalExponent;
  if (magnitude > LARGEST_EXPONENT) return null;
  const scaled = digits * 2n ** BigInt(BINARY_EXPONENTS[suffix] ?? 0);
  const exponent = decimalExponent - fraction.length - NANO_EXPONENT;
  let nanos: bigint;
  if (exponent >= 0) nanos = scaled * 10n ** BigInt(exponent);
  // Far below a nano: any positive amount rounds up to one, without building 10^-exponent.
  else if (-exponent > scaled.toString().length) nanos = scaled > 0n ? 1n : 0n;
  else nanos = ceilDivide(scaled, 10n ** BigInt(-exponent));
  return sign === '-' ? -nanos : nanos;
}

/** Cpu in whole millicores, rounded up as the kubelet and scheduler do (MilliValue); 0 when not a quantity. */
export function cpuMillicores(value: string | number): bigint {
  return ceilDivide(validNanos(value), NANOS_PER_MILLI);
}

/** Memory in whole bytes, rounded up as the kubelet and scheduler do (Value); 0 when not a quantity. */
export function memoryBytes(value: string | number): bigint {
  return ceilDivide(validNanos(value), NANOS_PER_UNIT);
}

/** Bytes as mebibytes, exact while below 2^53 bytes (a division by a power of two loses nothing). */
export function bytesToMebibytes(bytes: bigint): number {
  return Number(bytes) / Number(BYTES_PER_MEBIBYTE);
}

function validNanos(value: string | number): Nanos {
  const checked = checkQuantity(value);
  return typeof checked === 'bigint' ? checked : 0n;
}

/** a / b rounded towards positive infinity, for b > 0. */
function ceilDivide(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b > 0n ? quotient + 1n : quotient;
}
