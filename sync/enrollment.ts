import { z } from 'zod';

/** The message an appliance signs to prove it holds the key it enrolls (domain-separated, length-safe). */
export function enrollmentProofMessage(token: string, publicKey: Uint8Array): Uint8Array {
  const t = Buffer.from(token, 'utf8');
  return new Uint8Array(
    Buffer.concat([
      Buffer.from('osiris-enroll-v1\u0000'),
      Buffer.from([t.length >> 8, t.length & 255]),
      t,
      Buffer.from(publicKey),
    ]),
  );
}

/** POST /api/enroll body. Keys and signatures are base64. */
export const enrollRequestSchema = z.object({
  token: z.string().min(16).max(200),
  publicKey: z.string().max(100),
  proof: z.string().max(200),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

export const enrollResponseSchema = z.object({
  applianceId: z.string(),
  siteId: z.string(),
  documents: z.object({ settings: z.string(), rules: z.string(), exceptions: z.string(), stats: z.string() }),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;
