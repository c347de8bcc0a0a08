import * as fc from 'fast-check';
import { checkQuantity, cpuMillicores, memoryBytes, parseQuantity, quantityProblem } from '../../lib/kubernetes/quantity';

/** ParseQuantity's grammar (apimachinery), written independently of lib/quantity.ts's regexp. */
const SUFFIXES = ['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

describe('quantities', () => {
  test.each([
    ['100m', 100n, 1n],
    ['0.5', 500n, 1n],
    ['.5', 500n, 1n],
    ['1.', 1000n, 1n],
    ['+2', 2000n, 2n],
    ['64Mi', 67108864000n, 67108864n],
    ['1e3', 1000000n, 1000n],
    ['1E', 10n ** 21n, 10n ** 18n],
    ['0.9Gi', 966367641600n, 966367642n],
    ['0.30000000000000004', 301n, 1n],
    [' 250m ', 250n, 1n],
    [1e21, 10n ** 24n, 10n ** 21n],
    [0.1, 100n, 1n],
    ['0e999999999', 0n, 0n],
  ] as const)('reads %p as %p millicores and %p bytes, rounding up as the kubelet does', (value, millicores, bytes) => {
    expect(quantityProblem(value)).toBeUndefined();
    expect(cpuMillicores(value)).toBe(millicores);
    expect(memoryBytes(value)).toBe(bytes);
  });

  test.each([
    ['-50m', 'is negative'],
    ['NaNMi', 'is not a Kubernetes quantity'],
    ['1e+21m', 'is not a Kubernetes quantity'],
    ['1.5.3', 'is not a Kubernetes quantity'],
    ['1KiB', 'is not a Kubernetes quantity'],
    ['1K', 'is not a Kubernetes quantity'],
    ['1e', 'is not a Kubernetes quantity'],
    ['1e1.5', 'is not a Kubernetes quantity'],
    ['.', 'is not a Kubernetes quantity'],
    ['', 'is not a Kubernetes quantity'],
    ['1e999999999', 'is too large'],
    [NaN, 'is not a finite number'],
    [-Infinity, 'is not a finite number'],
  ] as const)('refuses %p: %s', (value, problem) => {
    expect(quantityProblem(value)).toBe(problem);
  });

  test('adds exactly: 700m + 100m is 800m, where floating point drifts (0.7 + 0.1 cores is not 0.8)', () => {
    expect(cpuMillicores('700m') + cpuMillicores('100m')).toBe(800n);
    expect((0.7 + 0.1) * 1000).not.toBe(800);
    expect(checkQuantity('0.8')).toBe(checkQuantity('800m'));
    expect(checkQuantity('1Gi') > checkQuantity('1G')).toBe(true);
  });

  test('property: every string of the grammar parses, to the value its parts say', () => {
    const parts = fc.record({
      sign: fc.constantFrom('', '+'),
      whole: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      fraction: fc.option(fc.stringMatching(/^[0-9]{0,6}$/), { nil: undefined }),
      suffix: fc.oneof(fc.constantFrom(...SUFFIXES), fc.integer({ min: -12, max: 12 }).map((e) => `e${e}`)),
    });
    fc.assert(
      fc.property(parts, ({ sign, whole, fraction, suffix }) => {
        const text = `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${suffix}`;
        expect(quantityProblem(text)).toBeUndefined();
        // The value as a fraction numerator / denominator, in nanos, from the parts alone.
        const decimals = fraction ?? '';
        let numerator = BigInt(`${whole}${decimals}`) * 10n ** 9n;
        let denominator = 10n ** BigInt(decimals.length);
        const binary = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'].indexOf(suffix);
        const decimal = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }[suffix];
        const exponent = binary >= 0 ? 0 : decimal ?? Number(suffix.slice(1));
        if (binary >= 0) numerator *= 2n ** BigInt(10 * (binary + 1));
        if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
        else denominator *= 10n ** BigInt(-exponent);
        const ceiling = (numerator + denominator - 1n) / denominator;
        expect(parseQuantity(text)).toBe(ceiling);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: any text is either refused with a reason or parsed to a non-negative amount, never a crash', () => {
    const text = fc.stringOf(fc.constantFrom(...'0123456789.+-eEinumkKMGTPNa '.split('')), { maxLength: 12 });
    fc.assert(
      fc.property(text, (value) => {
        const problem = quantityProblem(value);
        if (problem === undefined) expect(cpuMillicores(value) >= 0n).toBe(true);
        else expect(['is not a Kubernetes quantity', 'is negative', 'is too large']).toContain(problem);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: sums of millicores and mebibytes are exact', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100000 }), { maxLength: 20 }), (amounts) => {
        const total = amounts.reduce((a, b) => a + b, 0);
        expect(amounts.reduce((sum, m) => sum + cpuMillicores(`${m}m`), 0n)).toBe(BigInt(total));
        expect(amounts.reduce((sum, m) => sum + memoryBytes(`${m}Mi`), 0n)).toBe(BigInt(total) * 2n ** 20n);
        expect(cpuMillicores(`${total / 1000}`)).toBe(BigInt(total));
      }),
      { numRuns: 300 },
    );
  });
});
