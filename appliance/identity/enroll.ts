import nacl from 'tweetnacl';
import { type EnrollResponse, enrollResponseSchema, enrollmentProofMessage } from '../../sync/enrollment.ts';
import { type Enrollment, loadOrCreateIdentity, saveEnrollment } from './identity.ts';

/** Enrolls this appliance's key with the cloud using a one-time token; stores the result with the key. */
export async function enroll(
  identityPath: string,
  cloudUrl: string,
  token: string,
): Promise<Enrollment & { documents: EnrollResponse['documents'] }> {
  const id = loadOrCreateIdentity(identityPath);
  const proof = nacl.sign.detached(enrollmentProofMessage(token, id.publicKey), id.secretKey);
  const res = await fetch(new URL('/api/enroll', cloudUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      publicKey: Buffer.from(id.publicKey).toString('base64'),
      proof: Buffer.from(proof).toString('base64'),
    }),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok)
    throw new Error(
      `enrollment failed (${res.status}): ${json.error?.code ?? 'unknown'} ${json.error?.message ?? ''}`,
    );
  const body = enrollResponseSchema.parse(json);
  const enrollment: Enrollment = {
    applianceId: body.applianceId,
    siteId: body.siteId,
    cloudUrl,
    enrolledAt: new Date().toISOString(),
  };
  saveEnrollment(identityPath, enrollment);
  return { ...enrollment, documents: body.documents };
}
