import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { CertificateAuthority } from './certificate-authority.js';
import { certificatePin, verifyCertificate } from './certificate-check.js';
import { createKeyPair, type KeyPairPem } from './key-pair.js';

describe('checking a component certificate with node:crypto alone', () => {
  let ca: CertificateAuthority;
  let component: KeyPairPem;
  const policy = { callbackIntervalSeconds: 3_600, note: 'ünïcödé, and long '.repeat(20) };

  before(async () => {
    const caKeys = await createKeyPair();
    ca = await CertificateAuthority.create('site-1', caKeys.privateKeyPem, caKeys.publicKeyPem);
    component = await createKeyPair();
  });

  it('reads what the CA wrote: subject, kind, serial, expiry, key and policy', async () => {
    // Serials are random; eight of them likely include a rarer shape (a leading zero nibble).
    for (let round = 0; round < 8; round += 1) {
      const issued = await ca.issue({
        subjectId: `agent-${round}`,
        kind: 'agent',
        publicKeyPem: component.publicKeyPem,
        policy,
      });
      const read = await verifyCertificate(issued.pem, ca.certificatePem);

      assert.equal(read.subjectId, `agent-${round}`);
      assert.equal(read.kind, 'agent');
      assert.equal(read.serial, issued.serial);
      assert.equal(read.notAfter.getTime(), issued.notAfter.getTime());
      assert.equal(read.publicKeyPem, component.publicKeyPem);
      assert.deepEqual(read.policy, policy);
    }
  });

  it('refuses a certificate another CA signed', async () => {
    const otherKeys = await createKeyPair();
    const other = await CertificateAuthority.create(
      'site-2',
      otherKeys.privateKeyPem,
      otherKeys.publicKeyPem,
    );
    const issued = await other.issue({
      subjectId: 'agent-x',
      kind: 'agent',
      publicKeyPem: component.publicKeyPem,
      policy,
    });

    await assert.rejects(verifyCertificate(issued.pem, ca.certificatePem), /not signed by/);
  });

  it('refuses a certificate outside its validity', async () => {
    const issued = await ca.issue({
      subjectId: 'agent-old',
      kind: 'agent',
      publicKeyPem: component.publicKeyPem,
      policy,
      validDays: 1,
      now: new Date('2025-01-01T00:00:00Z'),
    });

    await assert.rejects(verifyCertificate(issued.pem, ca.certificatePem), /expired/);
    const inside = await verifyCertificate(
      issued.pem,
      ca.certificatePem,
      new Date('2025-01-01T12:00:00Z'),
    );
    assert.equal(inside.subjectId, 'agent-old');
  });

  it('pins the certificate by the SHA-256 of its DER bytes', () => {
    const pin = certificatePin(ca.certificatePem);
    const der = Buffer.from(ca.certificatePem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
    const expected = createHash('sha256').update(der).digest('base64url');
    assert.equal(pin, expected);
  });
});
