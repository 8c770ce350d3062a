// The pure parts of the image step: naming and caching keys, the Debian mirror, the CA-leak scan, the report.
import { rootCertificates } from 'node:tls';
import { addedCertificates, certificateBodies, NeedleScanner, pemNeedle } from './ca-leak';
import { aptMirror, baseImageRef, baseTarballName } from './node-base-image';
import { formatReport } from './report';

const spec = { nodeVersion: '24.21.0', npmVersion: '11.19.1', release: 'bookworm' };

describe('the Node base image', () => {
  it('is named and cached by Node version, npm version and Debian release, under a local-only name', () => {
    expect(baseImageRef(spec)).toBe('orderstream-local/node:24.21.0-npm11.19.1-bookworm-minbase');
    expect(baseTarballName(spec)).toBe('node-24.21.0-npm11.19.1-bookworm-minbase.tar');
    expect(baseImageRef({ ...spec, nodeVersion: '24.22.0' })).not.toBe(baseImageRef(spec));
  });
});

describe('aptMirror', () => {
  const deb822 = [
    'Types: deb',
    'URIs: http://mirror.example/debian',
    'Suites: bookworm bookworm-updates',
    'Components: main',
    '',
    'Types: deb',
    'URIs: http://mirror.example/debian-security',
    'Suites: bookworm-security',
    'Components: main',
  ].join('\n');

  it('reads the mirror of the release from a deb822 .sources file, not the security one', () => {
    expect(aptMirror([deb822], 'bookworm')).toBe('http://mirror.example/debian');
    expect(aptMirror([deb822], 'bookworm-security')).toBe('http://mirror.example/debian-security');
  });

  it('reads one-line sources.list entries, with or without options', () => {
    const list =
      '# comment\ndeb-src http://src.example/debian bookworm main\ndeb [arch=amd64] http://one.example/debian bookworm main\n';
    expect(aptMirror([list], 'bookworm')).toBe('http://one.example/debian');
  });

  it('says nothing when no file names the release', () => {
    expect(aptMirror(['', deb822], 'trixie')).toBeUndefined();
  });
});

/** A PEM certificate block around a body, wrapped at 64 characters as PEM files are. */
const pem = (body: string) =>
  `-----BEGIN CERTIFICATE-----\n${(body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
const machineCa = 'MIIB' + 'QUJD'.repeat(60);

describe('addedCertificates', () => {
  it('keeps the bundle certificates that Node does not ship', () => {
    const bundle = rootCertificates.slice(0, 3).join('\n') + '\n' + pem(machineCa);
    expect(addedCertificates(bundle)).toEqual([machineCa]);
    expect(certificateBodies(bundle)).toHaveLength(4);
  });

  it('finds none in a bundle of Node roots only', () => {
    expect(addedCertificates(rootCertificates.join('\n'))).toEqual([]);
  });
});

describe('NeedleScanner', () => {
  const needle = pemNeedle(machineCa);

  it('finds a PEM file holding the certificate, even split across chunks', () => {
    const file = Buffer.from(`junk${pem(machineCa)}junk`);
    const scanner = new NeedleScanner([needle, 'run/secrets/ca_bundle']);
    const cut = file.indexOf('\n') + 40;
    scanner.push(file.subarray(0, cut));
    scanner.push(file.subarray(cut));
    expect(scanner.matches()).toEqual([needle]);
    expect(scanner.scanned).toBe(file.length);
  });

  it('finds a file name in a tar header and nothing in clean data', () => {
    const scanner = new NeedleScanner([needle, 'run/secrets/ca_bundle']);
    scanner.push(Buffer.from('app/apps/orders/dist/main.js\0'.repeat(100)));
    expect(scanner.matches()).toEqual([]);
    scanner.push(Buffer.from('run/secrets/ca'));
    scanner.push(Buffer.from('_bundle\0\0'));
    expect(scanner.matches()).toEqual(['run/secrets/ca_bundle']);
  });
});

describe('formatReport', () => {
  it('aligns build time, size and time to ready per image', () => {
    const report = formatReport(
      [
        { service: 'orders', image: 'orderstream-orders:local', seconds: 61.23, bytes: 402_000_000 },
        {
          service: 'outbox-relay',
          image: 'orderstream-outbox-relay:local',
          seconds: 9.5,
          bytes: 398_400_000,
        },
      ],
      [{ service: 'orders', port: 40001, secondsToReady: 4.26 }],
    );
    expect(report.split('\n')).toEqual([
      'image                           build   size    ready after',
      'orderstream-orders:local        61.2 s  402 MB  4.3 s',
      'orderstream-outbox-relay:local  9.5 s   398 MB  -',
    ]);
  });
});
