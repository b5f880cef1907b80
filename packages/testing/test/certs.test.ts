// The generated certificates chain up, name localhost/127.0.0.1, and make the admin a system:masters member.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { generateCertificates, type Certificates } from '../src/certs.js';
import { tempDir } from './support/fake-bin.js';

let dir: string;
let certs: Certificates;
const cert = async (path: string): Promise<X509Certificate> => new X509Certificate(await readFile(path));

beforeAll(async () => {
  dir = await tempDir('certs');
  certs = await generateCertificates(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateCertificates', () => {
  test('the serving certificate is signed by the serving CA and valid for localhost and 127.0.0.1', async () => {
    const ca = await cert(certs.files.servingCa);
    const serving = await cert(certs.files.servingCert);
    expect(ca.ca).toBe(true);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkHost('localhost')).toBe('localhost');
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  test('the admin certificate is signed by the client CA with O=system:masters', async () => {
    const admin = await cert(certs.files.adminCert);
    expect(admin.verify((await cert(certs.files.clientCa)).publicKey)).toBe(true);
    expect(admin.verify((await cert(certs.files.servingCa)).publicKey)).toBe(false);
    expect(admin.subject.split('\n').sort()).toEqual(['CN=admin', 'O=system:masters']);
    expect(admin.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  test('keys match their certificates and are readable by the owner only', async () => {
    const admin = await cert(certs.files.adminCert);
    expect(admin.checkPrivateKey(createPrivateKey(await readFile(certs.files.adminKey)))).toBe(true);
    const saPublic = createPublicKey(await readFile(certs.files.serviceAccountPublicKey));
    const saPrivate = createPrivateKey(await readFile(certs.files.serviceAccountKey));
    expect(createPublicKey(saPrivate).export({ format: 'der', type: 'spki' })).toEqual(
      saPublic.export({ format: 'der', type: 'spki' }),
    );
    expect((await stat(certs.files.adminKey)).mode & 0o777).toBe(0o600);
  });
});
